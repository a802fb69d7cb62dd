import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ClusterScheduler } from '../../database/scheduling/cluster-scheduler';
import { AppConfig } from '../../config/app-config';
import { MiningService } from './mining.service';
import { PatternsMetrics } from './patterns.metrics';

/**
 * Mining runs on PATTERNS_CRON: every instance ticks, one claims the tick and mines, the others count it as skipped
 * in `mining_runs_total`. Off when PATTERNS_CRON is `off`.
 */
@Injectable()
export class MiningScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly mining: MiningService,
    private readonly metrics: PatternsMetrics,
    private readonly scheduler: ClusterScheduler,
  ) {}

  onApplicationBootstrap(): void {
    const cron = this.config.patterns.cron;
    if (!cron) return;
    this.scheduler.schedule(
      'patterns-mining',
      cron,
      async () => {
        const result = await this.mining.start('schedule');
        if (result.started) await result.finished;
      },
      () => this.metrics.skipped('schedule'),
    );
  }
}
