import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { SqlPool } from '../../database/sql-pool.service';
import type { RunStatus } from '../../common/runs/run-status';
import type { GeneratorReport, InsightRunTrigger } from './entities/insight-run.entity';

export interface StoredInsightRun {
  id: string;
  trigger: InsightRunTrigger;
  requested_by: string | null;
  period_from: Date | string;
  period_to: Date | string;
  started_at: Date | string;
  finished_at: Date | string | null;
  duration_ms: number | null;
  status: RunStatus;
  generators: GeneratorReport[] | null;
  error: string | null;
}

const COLUMNS =
  'id, trigger, requested_by, period_from, period_to, started_at, finished_at, duration_ms, status, generators, error';

/** The SQL of `insight_runs`. */
@Injectable()
export class InsightRunsRepository {
  constructor(private readonly sql: SqlPool) {}

  async create(
    client: PoolClient,
    run: Pick<StoredInsightRun, 'id' | 'trigger' | 'requested_by' | 'period_from' | 'period_to' | 'started_at'>,
  ): Promise<void> {
    await client.query(
      `INSERT INTO insight_runs (id, trigger, requested_by, period_from, period_to, started_at, status) VALUES ($1, $2, $3, $4, $5, $6, 'running')`,
      [run.id, run.trigger, run.requested_by, run.period_from, run.period_to, run.started_at],
    );
  }

  /** Runs left `running` by an instance that died: called by the lock holder, so none of them is really running. */
  async failInterrupted(client: PoolClient): Promise<number> {
    const result = await client.query(
      `UPDATE insight_runs SET status = 'failed', finished_at = now(), error = 'interrupted (the instance running it stopped)' WHERE status = 'running'`,
    );
    return result.rowCount ?? 0;
  }

  async finish(
    client: PoolClient,
    id: string,
    outcome: { status: RunStatus; durationMs: number; generators: GeneratorReport[]; error?: string },
  ): Promise<void> {
    await client.query(
      `UPDATE insight_runs SET status = $2, finished_at = now(), duration_ms = $3, generators = $4, error = $5 WHERE id = $1`,
      [
        id,
        outcome.status,
        outcome.durationMs,
        JSON.stringify(outcome.generators),
        outcome.error?.slice(0, 1024) ?? null,
      ],
    );
  }

  async running(): Promise<StoredInsightRun | undefined> {
    const [row] = await this.sql.query<StoredInsightRun>(
      `SELECT ${COLUMNS} FROM insight_runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1`,
    );
    return row;
  }

  async latestFinishedId(): Promise<string | null> {
    const [row] = await this.sql.query<{ id: string }>(
      `SELECT id FROM insight_runs WHERE status <> 'running' ORDER BY id DESC LIMIT 1`,
    );
    return row?.id ?? null;
  }

  /** Newest first; `beforeId` is the keyset position (run ids are time-ordered). */
  async page(limit: number, beforeId?: string): Promise<StoredInsightRun[]> {
    return this.sql.query<StoredInsightRun>(
      `SELECT ${COLUMNS} FROM insight_runs WHERE ($1::uuid IS NULL OR id < $1::uuid) ORDER BY id DESC LIMIT $2`,
      [beforeId ?? null, limit],
    );
  }
}
