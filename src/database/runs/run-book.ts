import type { Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { errorMessage } from '../../common/errors/error-message';
import { isoTime } from '../../common/time/iso';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { isUuidPosition, keysetPage, type Page } from '../../common/pagination/keyset-page';
import type { RetentionPolicy } from '../../common/retention/retention-policy';
import type { RunStatus } from '../../common/runs/run-status';
import { startLockedRun, type LockedRunStart } from '../locked-run';
import type { ClusterScheduler } from '../scheduling/cluster-scheduler';
import type { SqlPool } from '../sql-pool.service';
import type { RunMetrics } from './run-metrics';

/** The columns of `StoredRunBase`: a listing selects these, then the kind's start columns and its report column. */
const RUN_COLUMNS = ['id', 'trigger', 'requested_by', 'started_at', 'finished_at', 'duration_ms', 'status', 'error'];

/** The columns every run table has (its migration adds the kind's own). */
export interface StoredRunBase {
  id: string;
  trigger: string;
  requested_by: string | null;
  started_at: Date | string;
  finished_at: Date | string | null;
  duration_ms: number | null;
  status: RunStatus;
  error: string | null;
}

/** The API view of the columns every run has; a kind adds its own (window, cutoffs, report). */
export function runView(row: StoredRunBase) {
  return {
    id: row.id,
    trigger: row.trigger,
    requestedBy: row.requested_by,
    startedAt: isoTime(row.started_at),
    finishedAt: row.finished_at === null ? null : isoTime(row.finished_at),
    durationMs: row.duration_ms,
    status: row.status,
    error: row.error,
  };
}

export interface RunBookSpec {
  /** The run table, e.g. `mining_runs`. */
  table: string;
  /** The session advisory lock that keeps runs of this kind one at a time across every instance. */
  lock: string;
  /** Columns of this kind recorded when a run starts (its window, its cutoffs). */
  startColumns: readonly string[];
  /** The jsonb column that receives the run's per-step report when it finishes. */
  reportColumn: string;
  /** Columns of this kind recorded when a run finishes, from its outcome's `details` (where it read); unset: kept. */
  finishColumns?: readonly string[];
  /** Names the kind in log lines ("Mining run"). */
  title: string;
  /** Names the history list in its cursors, so a cursor of another list is refused. */
  cursorName: string;
}

/** What the work of a run answers: its status, its per-step report, and why it is not a success. */
export interface RunOutcome<Report> {
  status: RunStatus;
  report: Report;
  error?: string;
  /** The status label counted in the runs metric when it is not `status` (a retention dry run). */
  metricStatus?: string;
  /** What the run did, for its log line ("sequence +3/-1, …"). */
  summary?: string;
  /** Values of the kind's finish columns. */
  details?: Record<string, unknown>;
}

export interface FinishedRun<Report> extends RunOutcome<Report> {
  runId: string;
  durationMs: number;
}

export interface RunRequest<Report> {
  trigger: string;
  requestedBy: string | null;
  /** Values of the kind's start columns. */
  details: Record<string, unknown>;
  /** The work, on the run's own connection (which holds the lock). */
  execute(client: PoolClient, runId: string): Promise<RunOutcome<Report>>;
  /** Called once the run is recorded as finished (e.g. to tell readers its writes are there). */
  afterFinish?(run: FinishedRun<Report>): void;
}

export type RunStart<Report> = LockedRunStart<FinishedRun<Report>>;

const INTERRUPTED = 'interrupted (the instance running it stopped)';
/** Token subjects may be longer than the column: a run keeps the first 128 characters of who asked. */
const REQUESTED_BY_MAX = 128;
const ERROR_MAX = 1024;

/**
 * "A run" — a mining run, an insight generation, a retention purge — done once: started at most once at a time
 * across every instance (a session advisory lock held by the run's own connection, so it goes with a dead
 * instance), recorded in the kind's table from start to finish with its per-step report, counted and timed in the
 * kind's metrics, listed newest first, and scheduled on a cron with one instance claiming each tick. A run left
 * `running` by an instance that died is marked failed by the next one (which holds the lock, so it knows).
 */
export class RunBook<Row extends StoredRunBase, Report> {
  private readonly selectColumns: string;

  constructor(
    private readonly sql: SqlPool,
    private readonly spec: RunBookSpec,
    private readonly metrics: RunMetrics,
    private readonly logger: Logger,
  ) {
    this.selectColumns = [...RUN_COLUMNS, ...spec.startColumns, spec.reportColumn, ...(spec.finishColumns ?? [])].join(
      ', ',
    );
  }

  /**
   * Starts a run unless one of this kind is running on any instance. Resolves as soon as the run is recorded (the
   * work goes on; `finished` settles when it ends), or with `started: false` and the running run's id.
   */
  start(request: RunRequest<Report>): Promise<RunStart<Report>> {
    return startLockedRun(this.sql, this.spec.lock, {
      open: (client) => this.open(client, request),
      execute: (client, runId) => this.execute(client, runId, request),
      skipped: async () => {
        this.metrics.skipped(request.trigger);
        return (await this.running())?.id ?? null;
      },
      failed: (error) => this.logger.error(`${this.spec.title} failed: ${errorMessage(error)}`),
    });
  }

  /**
   * Runs `start` on `cron` (null: never) on one instance per tick; the other instances count the tick as skipped.
   * `job` names the schedule in `scheduled_slots`.
   */
  schedule(
    scheduler: ClusterScheduler,
    job: string,
    cron: string | null,
    start: () => Promise<RunStart<Report>>,
  ): void {
    if (!cron) return;
    scheduler.schedule(
      job,
      cron,
      async () => {
        const result = await start();
        if (result.started) await result.finished;
      },
      () => this.metrics.skipped('schedule'),
    );
  }

  /** The run in progress, if any (for answering a second start). */
  async running(): Promise<Row | undefined> {
    const [row] = await this.sql.query<Row>(
      `SELECT ${this.selectColumns} FROM ${this.spec.table} WHERE status = 'running' ORDER BY started_at DESC LIMIT 1`,
    );
    return row;
  }

  /** The id of the latest run that finished. */
  async latestFinishedId(): Promise<string | null> {
    const [row] = await this.sql.query<{ id: string }>(
      `SELECT id FROM ${this.spec.table} WHERE status <> 'running' ORDER BY id DESC LIMIT 1`,
    );
    return row?.id ?? null;
  }

  /**
   * The retention of this kind's history: runs started before the cutoff, except the latest finished one (readers'
   * caches are keyed by it) and a running one. `order` places it among the run histories.
   */
  historyRetention(retentionDays: number, order: number): RetentionPolicy {
    const table = this.spec.table;
    return {
      dataClass: table,
      table,
      retentionDays,
      description: 'Run history older than RUN_RETENTION_DAYS (the latest finished run is kept).',
      expired: `t.started_at < $1 AND t.status <> 'running' AND t.id IS DISTINCT FROM (SELECT id FROM ${table} WHERE status <> 'running' ORDER BY started_at DESC, id DESC LIMIT 1)`,
      order,
    };
  }

  /** One page of the history, newest first. */
  list(limit: number, cursor?: string): Promise<Page<Row>> {
    return keysetPage({
      cursor,
      limit,
      filters: { list: this.spec.cursorName },
      isPosition: isUuidPosition,
      fetch: (beforeId, n) => this.page(n, beforeId),
      positionOf: (row) => row.id,
    });
  }

  /** Newest first; `beforeId` is the keyset position (run ids are time-ordered). */
  page(limit: number, beforeId?: string): Promise<Row[]> {
    return this.sql.query<Row>(
      `SELECT ${this.selectColumns} FROM ${this.spec.table} WHERE ($1::uuid IS NULL OR id < $1::uuid) ORDER BY id DESC LIMIT $2`,
      [beforeId ?? null, limit],
    );
  }

  private async open(client: PoolClient, request: RunRequest<Report>): Promise<string> {
    const id = uuidv7();
    const { table, startColumns } = this.spec;
    await client.query(
      `UPDATE ${table} SET status = 'failed', finished_at = now(), error = $1 WHERE status = 'running'`,
      [INTERRUPTED],
    );
    const columns = ['id', 'trigger', 'requested_by', 'started_at', 'status', ...startColumns];
    const values = [
      id,
      request.trigger,
      request.requestedBy?.slice(0, REQUESTED_BY_MAX) ?? null,
      new Date(),
      'running',
      ...startColumns.map((c) => jsonable(request.details[c])),
    ];
    await client.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      values,
    );
    return id;
  }

  private async execute(client: PoolClient, runId: string, request: RunRequest<Report>): Promise<FinishedRun<Report>> {
    const started = performance.now();
    const outcome = await request.execute(client, runId);
    const durationMs = Math.round(performance.now() - started);
    const finish = this.spec.finishColumns ?? [];
    await client.query(
      `UPDATE ${this.spec.table} SET status = $2, finished_at = now(), duration_ms = $3, ${this.spec.reportColumn} = $4, error = $5${finish.map((c, i) => `, ${c} = coalesce($${i + 6}, ${c})`).join('')} WHERE id = $1`,
      [
        runId,
        outcome.status,
        durationMs,
        JSON.stringify(outcome.report),
        outcome.error?.slice(0, ERROR_MAX) ?? null,
        ...finish.map((c) => jsonable(outcome.details?.[c] ?? null)),
      ],
    );
    this.metrics.finished(request.trigger, outcome.metricStatus ?? outcome.status, outcome.status, durationMs / 1000);
    const run = { ...outcome, runId, durationMs };
    request.afterFinish?.(run);
    this.logger.log(
      `${this.spec.title} ${runId} ${outcome.status} in ${durationMs} ms${outcome.summary ? `: ${outcome.summary}` : ''}`,
    );
    return run;
  }
}

/** Plain objects and arrays go to jsonb columns as JSON text; dates, numbers, strings and booleans as they are. */
function jsonable(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value;
}
