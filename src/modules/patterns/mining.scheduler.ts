import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../../config/app-config';
import { MiningService } from './mining.service';

const JOB = 'patterns-mining';

/**
 * Starts a mining run on PATTERNS_CRON on every instance; the run lock lets one of them mine and the others skip
 * (counted as skipped in `mining_runs_total`). Off when PATTERNS_CRON is `off`.
 */
@Injectable()
export class MiningScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MiningScheduler.name);

  constructor(
    private readonly config: AppConfig,
    private readonly mining: MiningService,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const cron = this.config.patterns.cron;
    if (!cron) return;
    const job = CronJob.from({ cronTime: cron, onTick: () => this.tick(), start: true, waitForCompletion: true });
    this.registry.addCronJob(JOB, job);
  }

  onApplicationShutdown(): void {
    if (this.registry.doesExist('cron', JOB)) this.registry.deleteCronJob(JOB);
  }

  private async tick(): Promise<void> {
    try {
      const result = await this.mining.start('schedule');
      if (result.started) await result.finished;
    } catch (error) {
      this.logger.error(`Scheduled mining run failed: ${(error as Error).message}`);
    }
  }
}
