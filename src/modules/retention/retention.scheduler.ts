import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ClusterScheduler } from '../../database/scheduling/cluster-scheduler';
import { AppConfig } from '../../config/app-config';
import { RetentionMetrics } from './retention.metrics';
import { RetentionService } from './retention.service';

/** Purges on RETENTION_CRON: every instance ticks, one claims the tick and purges, the others count it as skipped. */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly retention: RetentionService,
    private readonly metrics: RetentionMetrics,
    private readonly scheduler: ClusterScheduler,
  ) {}

  onApplicationBootstrap(): void {
    const cron = this.config.retention.cron;
    if (!cron) return;
    this.scheduler.schedule(
      'retention-purge',
      cron,
      async () => {
        const result = await this.retention.start('schedule', false);
        if (result.started) await result.finished;
      },
      () => this.metrics.skipped('schedule'),
    );
  }
}
