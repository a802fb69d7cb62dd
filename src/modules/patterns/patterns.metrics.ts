import { Injectable } from '@nestjs/common';
import { MetricsService } from '../../observability/metrics.service';
import { PatternsRepository } from './patterns.repository';

/** The active patterns per type (read at scrape time); the runs' own metrics are `MiningRuns`'. */
@Injectable()
export class PatternsMetrics {
  constructor(metrics: MetricsService, patterns: PatternsRepository) {
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
}
