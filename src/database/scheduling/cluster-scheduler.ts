import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { hostname } from 'node:os';
import { SqlPool } from '../sql-pool.service';
import { SlotClock } from './slot-clock';

/** Claims older than this are deleted by the next claim of the same job. */
const KEEP_CLAIMS_DAYS = 7;

/**
 * Scheduled jobs for a cluster of instances. Every instance runs the cron; each tick is claimed in PostgreSQL
 * (`scheduled_slots`, one row per job and scheduled time), and only the instance whose claim lands runs it — the
 * others report it as skipped. The claim stops a second run of the same tick after a quick first one; the run's
 * own advisory lock still stops a scheduled run from overlapping a manual one.
 */
@Injectable()
export class ClusterScheduler implements OnApplicationShutdown {
  private readonly logger = new Logger(ClusterScheduler.name);
  private readonly instance = `${hostname()}:${process.pid}`.slice(0, 128);
  private readonly jobs: string[] = [];

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly sql: SqlPool,
  ) {}

  schedule(job: string, cron: string, run: () => Promise<void>, skipped: () => void): void {
    const clock = new SlotClock(cron);
    const tick = async () => {
      const slot = clock.slotOf(new Date());
      try {
        if (await this.claim(job, slot)) await run();
        else skipped();
      } catch (error) {
        this.logger.error(`Scheduled ${job} at ${slot.toISOString()} failed: ${(error as Error).message}`);
      }
    };
    this.registry.addCronJob(job, CronJob.from({ cronTime: cron, onTick: tick, start: true, waitForCompletion: true }));
    this.jobs.push(job);
  }

  onApplicationShutdown(): void {
    for (const job of this.jobs) if (this.registry.doesExist('cron', job)) this.registry.deleteCronJob(job);
  }

  /** True for the one instance whose claim of (job, slot) lands first. */
  async claim(job: string, slot: Date): Promise<boolean> {
    const rows = await this.sql.query(
      `WITH expired AS (DELETE FROM scheduled_slots WHERE job = $1 AND slot < $2::timestamptz - make_interval(days => $4))
       INSERT INTO scheduled_slots (job, slot, claimed_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING job`,
      [job, slot, this.instance, KEEP_CLAIMS_DAYS],
    );
    return rows.length === 1;
  }
}
