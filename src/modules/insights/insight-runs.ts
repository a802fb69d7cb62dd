import { Injectable } from '@nestjs/common';
import { isoTime } from '../../common/time/iso';
import type { StoredRunBase } from '../../database/runs/run-book';
import { analyticsRead, type StoredAnalyticsRead } from '../../database/runs/analytics-read';
import { RunBookOf } from '../../database/runs/run-book-of';
import type { GeneratorReport, InsightRunTrigger } from './entities/insight-run.entity';

export interface StoredInsightRun extends StoredRunBase, StoredAnalyticsRead {
  trigger: InsightRunTrigger;
  period_from: Date | string;
  period_to: Date | string;
  generators: GeneratorReport[] | null;
}

/**
 * Insight generations (`insight_runs`, `insight_runs_total`, `insight_run_duration_seconds`): one at a time across
 * instances, recorded with their period and every generator's report.
 */
@Injectable()
export class InsightRuns extends RunBookOf<StoredInsightRun, GeneratorReport[]>({
  table: 'insight_runs',
  lock: 'insights:generation',
  startColumns: ['period_from', 'period_to'],
  finishColumns: analyticsRead.columns,
  reportColumn: 'generators',
  runsHelp:
    'Insight generation runs by trigger (mining, manual) and status (succeeded, partial, failed, skipped: another instance was running one)',
  durationHelp: 'Duration of finished insight generation runs',
  buckets: [0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
  logger: 'GenerationService',
}) {
  kindView(row: StoredInsightRun) {
    return {
      periodFrom: isoTime(row.period_from),
      periodTo: isoTime(row.period_to),
      generators: row.generators ?? [],
      ...analyticsRead.view(row),
    };
  }
}
