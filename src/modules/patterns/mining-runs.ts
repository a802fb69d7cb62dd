import { Injectable } from '@nestjs/common';
import { isoTime } from '../../common/time/iso';
import type { StoredRunBase } from '../../database/runs/run-book';
import { analyticsRead, type StoredAnalyticsRead } from '../../database/runs/analytics-read';
import { RunBookOf } from '../../database/runs/run-book-of';
import type { MinerReport, RunTrigger } from './entities/mining-run.entity';

export interface StoredRun extends StoredRunBase, StoredAnalyticsRead {
  trigger: RunTrigger;
  window_from: Date | string;
  window_to: Date | string;
  min_user_support: number;
  miners: MinerReport[] | null;
}

/**
 * Mining runs (`mining_runs`, `mining_runs_total`, `mining_run_duration_seconds`): one at a time across instances,
 * recorded with their window and every miner's report.
 */
@Injectable()
export class MiningRuns extends RunBookOf<StoredRun, MinerReport[]>({
  table: 'mining_runs',
  lock: 'patterns:mining',
  startColumns: ['window_from', 'window_to', 'min_user_support'],
  finishColumns: analyticsRead.columns,
  reportColumn: 'miners',
  runsHelp:
    'Pattern mining runs by trigger (schedule, manual) and status (succeeded, partial, failed, skipped: another instance was running one)',
  durationHelp: 'Duration of finished pattern mining runs',
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
  logger: 'MiningService',
  cursorName: 'runs',
}) {
  kindView(row: StoredRun) {
    return {
      windowFrom: isoTime(row.window_from),
      windowTo: isoTime(row.window_to),
      minUserSupport: row.min_user_support,
      miners: row.miners ?? [],
      ...analyticsRead.view(row),
    };
  }
}
