import { Injectable } from '@nestjs/common';
import type { StoredRunBase } from '../../database/runs/run-book';
import { RunBookOf } from '../../database/runs/run-book-of';
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
export class RetentionRuns extends RunBookOf<StoredRetentionRun, Record<string, number>>({
  table: 'retention_runs',
  lock: 'retention:purge',
  startColumns: ['dry_run', 'cutoffs'],
  reportColumn: 'counts',
  runsHelp: 'Retention purges by trigger (schedule, manual) and status (succeeded, partial, failed, skipped, dry_run)',
  durationHelp: 'Duration of finished purges',
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  logger: 'RetentionService',
}) {
  kindView(row: StoredRetentionRun) {
    return { dryRun: row.dry_run, cutoffs: row.cutoffs, counts: row.counts ?? {} };
  }
}
