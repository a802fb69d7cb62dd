import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool.service';
import type { MinerReport, RunTrigger } from './entities/mining-run.entity';
import type { RunStatus } from '../../common/runs/run-status';

export interface StoredRun {
  id: string;
  trigger: RunTrigger;
  requested_by: string | null;
  window_from: Date | string;
  window_to: Date | string;
  min_user_support: number;
  started_at: Date | string;
  finished_at: Date | string | null;
  duration_ms: number | null;
  status: RunStatus;
  miners: MinerReport[] | null;
  error: string | null;
}

const COLUMNS =
  'id, trigger, requested_by, window_from, window_to, min_user_support, started_at, finished_at, duration_ms, status, miners, error';

/** The SQL of `mining_runs`. */
@Injectable()
export class MiningRunsRepository {
  constructor(private readonly sql: SqlPool) {}

  async create(
    client: PoolClient,
    run: Pick<
      StoredRun,
      'id' | 'trigger' | 'requested_by' | 'window_from' | 'window_to' | 'min_user_support' | 'started_at'
    >,
  ): Promise<void> {
    await client.query(
      `INSERT INTO mining_runs (id, trigger, requested_by, window_from, window_to, min_user_support, started_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'running')`,
      [run.id, run.trigger, run.requested_by, run.window_from, run.window_to, run.min_user_support, run.started_at],
    );
  }

  /** Runs left `running` by an instance that died: called by the lock holder, so none of them is really running. */
  async failInterrupted(client: PoolClient): Promise<number> {
    const result = await client.query(
      `UPDATE mining_runs SET status = 'failed', finished_at = now(), error = 'interrupted (the instance running it stopped)' WHERE status = 'running'`,
    );
    return result.rowCount ?? 0;
  }

  async finish(
    client: PoolClient,
    id: string,
    outcome: { status: RunStatus; durationMs: number; miners: MinerReport[]; error?: string },
  ): Promise<void> {
    await client.query(
      `UPDATE mining_runs SET status = $2, finished_at = now(), duration_ms = $3, miners = $4, error = $5 WHERE id = $1`,
      [id, outcome.status, outcome.durationMs, JSON.stringify(outcome.miners), outcome.error?.slice(0, 1024) ?? null],
    );
  }

  /** The run in progress, if any (for answering a second start). */
  async running(): Promise<StoredRun | undefined> {
    const [row] = await this.sql.query<StoredRun>(
      `SELECT ${COLUMNS} FROM mining_runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1`,
    );
    return row;
  }

  /** The id of the latest run that finished (its answers are what readers should see). */
  async latestFinishedId(): Promise<string | null> {
    const [row] = await this.sql.query<{ id: string }>(
      `SELECT id FROM mining_runs WHERE status <> 'running' ORDER BY id DESC LIMIT 1`,
    );
    return row?.id ?? null;
  }

  /** Newest first; `beforeId` is the keyset position (run ids are time-ordered). */
  async page(limit: number, beforeId?: string): Promise<StoredRun[]> {
    return this.sql.query<StoredRun>(
      `SELECT ${COLUMNS} FROM mining_runs WHERE ($1::uuid IS NULL OR id < $1::uuid) ORDER BY id DESC LIMIT $2`,
      [beforeId ?? null, limit],
    );
  }
}
