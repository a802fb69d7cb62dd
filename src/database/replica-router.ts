import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { errorMessage } from '../common/errors/error-message';
import { withTimeout } from '../common/resilience/with-timeout';
import { AppConfig } from '../config/app-config';

/** A point in the primary's history: its WAL position and its clock. */
export interface ReadMark {
  lsn: string;
  asOf: Date;
}

/** The servers a read can go to. */
export const READ_SOURCES = ['primary', 'replica'] as const;
export type ReadFrom = (typeof READ_SOURCES)[number];

/** Where a run reads: everything committed on the primary before its mark is in what it reads there. */
export interface ReadSource {
  source: ReadFrom;
  /** Why a run with a replica configured reads the primary. */
  fallback?: string;
}

/** What reads: an analytics run (mining, insight generation) or a personal-data export. */
export type ReadPurpose = 'run' | 'export';

/** An export waits at most this long for the replica (or REPLICA_MAX_LAG_SECONDS, if shorter): its client is waiting. */
const EXPORT_MAX_WAIT_SECONDS = 5;

export interface ReplicaStatus {
  status: 'up' | 'down' | 'not_configured';
  /** Seconds the replica's replay is behind (0 when it has replayed all it received). */
  lagSeconds?: number;
  error?: string;
}

const POLL_MS = 100;
const PROBE_TIMEOUT_MS = 1000;

/**
 * Sends analytics to the streaming replica (DATABASE_URL_REPLICA) when it can answer for the run: a run notes the
 * primary's WAL position and clock when it starts, and reads the replica once the replica has replayed up to that
 * position — so its window ends at a point the replica has seen, and nothing committed before is missing. A replica
 * that is down, or still behind after REPLICA_MAX_LAG_SECONDS, sends the run to the primary, which says why.
 */
@Injectable()
export class ReplicaRouter {
  private readonly logger = new Logger(ReplicaRouter.name);
  /** Runs and exports sent to each source since the start (`analytics_run_reads_total`, `export_reads_total`). */
  readonly reads: Record<ReadPurpose, Record<ReadFrom, number>> = {
    run: { primary: 0, replica: 0 },
    export: { primary: 0, replica: 0 },
  };

  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
  ) {}

  get configured(): boolean {
    return Boolean(this.config.database.replicaUrl);
  }

  /** The primary's WAL position and clock now: a run's window ends here (without a replica, this instance's clock). */
  async mark(): Promise<ReadMark> {
    if (!this.configured) return { lsn: '', asOf: new Date() };
    const {
      rows: [mark],
    } = await (
      await this.pool('write')
    ).query<{ lsn: string; now: Date | string }>('SELECT pg_current_wal_lsn()::text AS lsn, now() AS now');
    return { lsn: mark.lsn, asOf: new Date(mark.now) };
  }

  /**
   * Where a run whose window ends at `mark` reads: the replica once it has replayed up to it (see the class). An
   * export (`purpose`) reads there on the same condition, so it holds everything written before it was asked for; it
   * waits at most EXPORT_MAX_WAIT_SECONDS.
   */
  async sourceFor(mark: ReadMark, purpose: ReadPurpose = 'run'): Promise<ReadSource> {
    const maxLag = this.config.database.replicaMaxLagSeconds;
    const wait = purpose === 'export' ? Math.min(maxLag, EXPORT_MAX_WAIT_SECONDS) : maxLag;
    const chosen: ReadSource = this.configured ? await this.waitForReplica(mark.lsn, wait) : { source: 'primary' };
    this.reads[purpose][chosen.source]++;
    if (chosen.fallback)
      this.logger.warn(`A${purpose === 'run' ? ' run' : 'n export'} reads the primary: ${chosen.fallback}`);
    return chosen;
  }

  /** The replica's state, for /health and the lag gauge. */
  async status(): Promise<ReplicaStatus> {
    if (!this.configured) return { status: 'not_configured' };
    try {
      const pool = await this.pool('read');
      const [row] = await withTimeout(
        pool.query<{ lag: number }>(
          `SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 AS lag`,
        ),
        PROBE_TIMEOUT_MS,
      ).then((r) => r.rows);
      return { status: 'up', lagSeconds: Math.round(row.lag * 10) / 10 };
    } catch (error) {
      return { status: 'down', error: errorMessage(error).slice(0, 200) };
    }
  }

  private async waitForReplica(lsn: string, maxWaitSeconds: number): Promise<ReadSource> {
    const deadline = Date.now() + maxWaitSeconds * 1000;
    for (;;) {
      try {
        const pool = await this.pool('read');
        // Not in recovery: the URL names a primary (e.g. the same server), which has everything.
        const { rows } = await withTimeout(
          pool.query<{ caught: boolean }>(
            `SELECT NOT pg_is_in_recovery() OR coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS caught`,
            [lsn],
          ),
          PROBE_TIMEOUT_MS,
        );
        if (rows[0].caught) return { source: 'replica' };
      } catch (error) {
        return { source: 'primary', fallback: `the replica does not answer (${errorMessage(error)})` };
      }
      if (Date.now() >= deadline)
        return { source: 'primary', fallback: `the replica is more than ${maxWaitSeconds} s behind` };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private pool(type: 'read' | 'write'): Promise<Pool> {
    return this.em.getConnection(type).getNativeClient();
  }
}
