import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../../config/app-config';
import { RetentionService } from './retention.service';

const JOB = 'retention-purge';

/** Starts a purge on RETENTION_CRON on every instance; the lock lets one purge and the others skip. */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionScheduler.name);

  constructor(
    private readonly config: AppConfig,
    private readonly retention: RetentionService,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const cron = this.config.retention.cron;
    if (!cron) return;
    this.registry.addCronJob(JOB, CronJob.from({ cronTime: cron, onTick: () => this.tick(), start: true, waitForCompletion: true }));
  }

  onApplicationShutdown(): void {
    if (this.registry.doesExist('cron', JOB)) this.registry.deleteCronJob(JOB);
  }

  private async tick(): Promise<void> {
    try {
      const result = await this.retention.start('schedule', false);
      if (result.started) await result.finished;
    } catch (error) {
      this.logger.error(`Scheduled retention run failed: ${(error as Error).message}`);
    }
  }
}
