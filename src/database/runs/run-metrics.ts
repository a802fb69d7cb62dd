import type { Counter, Histogram } from 'prom-client';
import type { MetricsService } from '../../observability/metrics.service';

export interface RunMetricsSpec {
  /** `mining` gives `mining_runs_total` and `mining_run_duration_seconds`. */
  prefix: string;
  /** What the counter counts, with its trigger and status labels explained. */
  runsHelp: string;
  durationHelp: string;
  buckets: number[];
}

/** A run kind's counter (by trigger and status, `skipped` when another instance had the lock) and duration histogram. */
export class RunMetrics {
  private readonly runs: Counter<'trigger' | 'status'>;
  private readonly duration: Histogram<'status'>;

  constructor(metrics: MetricsService, spec: RunMetricsSpec) {
    this.runs = metrics.counter({
      name: `${spec.prefix}_runs_total`,
      help: spec.runsHelp,
      labelNames: ['trigger', 'status'],
    });
    this.duration = metrics.histogram({
      name: `${spec.prefix}_run_duration_seconds`,
      help: spec.durationHelp,
      labelNames: ['status'],
      buckets: spec.buckets,
    });
  }

  /** `counted` labels the counter (a dry run counts as `dry_run`), `status` the duration. */
  finished(trigger: string, counted: string, status: string, seconds: number): void {
    this.runs.inc({ trigger, status: counted });
    this.duration.observe({ status }, seconds);
  }

  skipped(trigger: string): void {
    this.runs.inc({ trigger, status: 'skipped' });
  }
}
