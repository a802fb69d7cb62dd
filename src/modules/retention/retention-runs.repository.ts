import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool.service';
import type { RunStatus } from '../../common/runs/run-status';
import type { RetentionTrigger } from './entities/retention-run.entity';

export interface StoredRetentionRun {
  id: string;
  trigger: RetentionTrigger;
  requested_by: string | null;
  dry_run: boolean;
  cutoffs: Record<string, string>;
  counts: Record<string, number> | null;
  started_at: Date | string;
  finished_at: Date | string | null;
  duration_ms: number | null;
  status: RunStatus;
  error: string | null;
}

const COLUMNS =
  'id, trigger, requested_by, dry_run, cutoffs, counts, started_at, finished_at, duration_ms, status, error';

/** The SQL of `retention_runs`. */
@Injectable()
export class RetentionRunsRepository {
  constructor(private readonly sql: SqlPool) {}

  async create(
    client: PoolClient,
    run: Pick<StoredRetentionRun, 'id' | 'trigger' | 'requested_by' | 'dry_run' | 'cutoffs' | 'started_at'>,
  ): Promise<void> {
    await client.query(
      `INSERT INTO retention_runs (id, trigger, requested_by, dry_run, cutoffs, started_at, status) VALUES ($1, $2, $3, $4, $5, $6, 'running')`,
      [run.id, run.trigger, run.requested_by, run.dry_run, JSON.stringify(run.cutoffs), run.started_at],
    );
  }

  /** Runs left `running` by an instance that died (called by the lock holder). */
  async failInterrupted(client: PoolClient): Promise<number> {
    const result = await client.query(
      `UPDATE retention_runs SET status = 'failed', finished_at = now(), error = 'interrupted (the instance running it stopped)' WHERE status = 'running'`,
    );
    return result.rowCount ?? 0;
  }

  async finish(
    client: PoolClient,
    id: string,
    outcome: { status: RunStatus; durationMs: number; counts: Record<string, number>; error?: string },
  ): Promise<void> {
    await client.query(
      `UPDATE retention_runs SET status = $2, finished_at = now(), duration_ms = $3, counts = $4, error = $5 WHERE id = $1`,
      [id, outcome.status, outcome.durationMs, JSON.stringify(outcome.counts), outcome.error?.slice(0, 1024) ?? null],
    );
  }

  async running(): Promise<StoredRetentionRun | undefined> {
    const [row] = await this.sql.query<StoredRetentionRun>(
      `SELECT ${COLUMNS} FROM retention_runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1`,
    );
    return row;
  }

  async page(limit: number, beforeId?: string): Promise<StoredRetentionRun[]> {
    return this.sql.query<StoredRetentionRun>(
      `SELECT ${COLUMNS} FROM retention_runs WHERE ($1::uuid IS NULL OR id < $1::uuid) ORDER BY id DESC LIMIT $2`,
      [beforeId ?? null, limit],
    );
  }
}
