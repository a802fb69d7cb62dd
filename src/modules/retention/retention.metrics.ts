import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { SqlPool } from '../../database/sql-pool.service';
import { MetricsService } from '../../observability/metrics.service';
import type { RunStatus } from '../../common/runs/run-status';
import type { RetentionTrigger } from './entities/retention-run.entity';

/** Purges by trigger and outcome, rows purged per data class, and the age of the oldest event (read at scrape time). */
@Injectable()
export class RetentionMetrics {
  private readonly runs: Counter<'trigger' | 'status'>;
  private readonly purged: Counter<'data_class'>;
  private readonly duration: Histogram<'status'>;

  constructor(metrics: MetricsService, sql: SqlPool) {
    this.runs = metrics.counter({
      name: 'retention_runs_total',
      help: 'Retention purges by trigger (schedule, manual) and status (succeeded, partial, failed, skipped, dry_run)',
      labelNames: ['trigger', 'status'],
    });
    this.purged = metrics.counter({
      name: 'retention_purged_rows_total',
      help: 'Rows removed by retention, by data class',
      labelNames: ['data_class'],
    });
    this.duration = metrics.histogram({
      name: 'retention_run_duration_seconds',
      help: 'Duration of finished purges',
      labelNames: ['status'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    });
    metrics.gauge({
      name: 'learning_oldest_event_age_seconds',
      help: 'Age of the oldest stored learning event of a user not under legal hold (alert when it grows past DATA_RETENTION_DAYS: retention stopped working)',
      async collect() {
        const [row] = await sql.query<{ age: number | null }>(
          `SELECT extract(epoch FROM now() - min(e.timestamp))::float8 AS age FROM global_learning_events e WHERE NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.user_id = e.user_id)`,
        );
        this.set(row?.age ?? 0);
      },
    });
  }

  finished(
    trigger: RetentionTrigger,
    status: RunStatus,
    dryRun: boolean,
    seconds: number,
    counts: Record<string, number>,
  ): void {
    this.runs.inc({ trigger, status: dryRun ? 'dry_run' : status });
    this.duration.observe({ status }, seconds);
    if (!dryRun)
      for (const [dataClass, rows] of Object.entries(counts))
        if (rows > 0) this.purged.inc({ data_class: dataClass }, rows);
  }

  skipped(trigger: RetentionTrigger): void {
    this.runs.inc({ trigger, status: 'skipped' });
  }
}
