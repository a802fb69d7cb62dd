import { Injectable } from '@nestjs/common';
import { MetricsService } from '../../observability/metrics.service';
import { InsightsRepository } from './insights.repository';

/** The active insights per type (read at scrape time); the runs' own metrics are `InsightRuns`'. */
@Injectable()
export class InsightsMetrics {
  constructor(metrics: MetricsService, insights: InsightsRepository) {
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
}
