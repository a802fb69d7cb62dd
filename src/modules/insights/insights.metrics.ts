import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../observability/metrics.service';
import type { RunStatus } from '../../common/runs/run-status';
import type { InsightRunTrigger } from './entities/insight-run.entity';
import { InsightsRepository } from './insights.repository';

/** Insight runs by trigger and outcome, their duration, and the active insights per type (read at scrape time). */
@Injectable()
export class InsightsMetrics {
  private readonly runs: Counter<'trigger' | 'status'>;
  private readonly duration: Histogram<'status'>;

  constructor(metrics: MetricsService, insights: InsightsRepository) {
    this.runs = metrics.counter({
      name: 'insight_runs_total',
      help: 'Insight generation runs by trigger (mining, manual) and status (succeeded, partial, failed, skipped: another instance was running one)',
      labelNames: ['trigger', 'status'],
    });
    this.duration = metrics.histogram({
      name: 'insight_run_duration_seconds',
      help: 'Duration of finished insight generation runs',
      labelNames: ['status'],
      buckets: [0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
    });
    metrics.gauge({
      name: 'insights_active',
      help: 'Published (active, unexpired) insights by insight type',
      labelNames: ['insight_type'],
      async collect() {
        this.reset();
        for (const row of await insights.activeCounts()) this.set({ insight_type: row.insight_type }, row.count);
      },
    });
  }

  finished(trigger: InsightRunTrigger, status: RunStatus, seconds: number): void {
    this.runs.inc({ trigger, status });
    this.duration.observe({ status }, seconds);
  }

  skipped(trigger: InsightRunTrigger): void {
    this.runs.inc({ trigger, status: 'skipped' });
  }
}
