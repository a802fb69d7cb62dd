import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../observability/metrics.service';
import type { RunTrigger } from './entities/mining-run.entity';
import type { RunStatus } from '../../common/runs/run-status';
import { PatternsRepository } from './patterns.repository';

/** Mining runs by trigger and outcome, their duration, and the active patterns per type (read at scrape time). */
@Injectable()
export class PatternsMetrics {
  private readonly runs: Counter<'trigger' | 'status'>;
  private readonly duration: Histogram<'status'>;

  constructor(metrics: MetricsService, patterns: PatternsRepository) {
    this.runs = metrics.counter({
      name: 'mining_runs_total',
      help: 'Pattern mining runs by trigger (schedule, manual) and status (succeeded, partial, failed, skipped: another instance was running one)',
      labelNames: ['trigger', 'status'],
    });
    this.duration = metrics.histogram({
      name: 'mining_run_duration_seconds',
      help: 'Duration of finished pattern mining runs',
      labelNames: ['status'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
    });
    metrics.gauge({
      name: 'patterns_active',
      help: 'Published (active) patterns by pattern type',
      labelNames: ['pattern_type'],
      async collect() {
        this.reset();
        for (const row of await patterns.activeCounts()) this.set({ pattern_type: row.pattern_type }, row.count);
      },
    });
  }

  finished(trigger: RunTrigger, status: RunStatus, seconds: number): void {
    this.runs.inc({ trigger, status });
    this.duration.observe({ status }, seconds);
  }

  skipped(trigger: RunTrigger): void {
    this.runs.inc({ trigger, status: 'skipped' });
  }
}
