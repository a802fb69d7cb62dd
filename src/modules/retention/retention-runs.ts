import { Injectable, Logger } from '@nestjs/common';
import { RunBook, type StoredRunBase } from '../../database/runs/run-book';
import { RunMetrics } from '../../database/runs/run-metrics';
import { SqlPool } from '../../database/sql-pool.service';
import { MetricsService } from '../../observability/metrics.service';
import type { RetentionTrigger } from './entities/retention-run.entity';

export interface StoredRetentionRun extends StoredRunBase {
  trigger: RetentionTrigger;
  dry_run: boolean;
  cutoffs: Record<string, string>;
  counts: Record<string, number> | null;
}

/**
 * Retention purges (`retention_runs`, `retention_runs_total`, `retention_run_duration_seconds`): one at a time across
 * instances, recorded with each data class's cutoff and count.
 */
@Injectable()
export class RetentionRuns extends RunBook<StoredRetentionRun, Record<string, number>> {
  constructor(sql: SqlPool, metrics: MetricsService) {
    super(
      sql,
      {
        table: 'retention_runs',
        lock: 'retention:purge',
        startColumns: ['dry_run', 'cutoffs'],
        reportColumn: 'counts',
        cursorName: 'retention-runs',
        title: 'Retention run',
      },
      new RunMetrics(metrics, {
        prefix: 'retention',
        runsHelp:
          'Retention purges by trigger (schedule, manual) and status (succeeded, partial, failed, skipped, dry_run)',
        durationHelp: 'Duration of finished purges',
        buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      }),
      new Logger('RetentionService'),
    );
  }
}
