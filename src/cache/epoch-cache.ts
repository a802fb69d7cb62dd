import type { Cache } from '@nestjs/cache-manager';
import { Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { isUuid } from '../common/ids/uuid';
import type { AppConfig } from '../config/app-config';
import type { MetricsService } from '../modules/metrics/metrics.service';
import { RedisBroadcast } from '../redis/redis-broadcast';
import type { RedisClient } from '../redis/redis.module';

const NO_EPOCH = 'none';

export interface EpochCacheOptions {
  /** Names the keys (`ail:<name>:<epoch>:<key>`), the Redis channel (`<name>:epoch`) and the metric label. */
  name: string;
  /** The id of the latest finished run (uuid v7), or null before any. */
  latestRunId(): Promise<string | null>;
}

/**
 * Reads through cache-manager's two tiers (memory, then Redis when configured) for data that changes only when a
 * run finishes. Every key carries the id of the latest finished run (the epoch): when a run finishes, its instance
 * moves to the new epoch (`advanceTo`) and tells the others through Redis, so no instance serves the previous
 * run's answers from then on; old entries simply expire. Without Redis other instances move on when they next read
 * the epoch, at most CACHE_TTL_SECONDS later. A cache failure never fails a read: it is answered from the source.
 */
export abstract class EpochCache {
  private readonly logger: Logger;
  private readonly broadcast: RedisBroadcast;
  private readonly lookups: Counter<'cache' | 'result'>;
  private epoch: string | null = null;
  private epochReadAt = 0;

  protected constructor(
    private readonly cache: Cache,
    redis: RedisClient,
    private readonly config: AppConfig,
    metrics: MetricsService,
    private readonly options: EpochCacheOptions,
  ) {
    this.logger = new Logger(`${options.name}Cache`);
    this.broadcast = new RedisBroadcast(redis, `${options.name}:epoch`, {
      onMessage: (runId) => {
        if (isUuid(runId)) this.advance(runId);
      },
      onReset: () => void this.refreshEpoch(),
    });
    this.lookups = metrics.counter({ name: 'cache_lookups_total', help: 'Read-cache lookups by cache and result (hit, miss)', labelNames: ['cache', 'result'] });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refreshEpoch();
    await this.broadcast.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broadcast.stop();
  }

  /**
   * The cached value of `key` for the current epoch, or `load()`'s (then cached). Before any run has finished there
   * is nothing worth caching (and no epoch that is unique to this database), so reads go to the source.
   */
  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const epoch = await this.currentEpoch();
    if (epoch === NO_EPOCH) return load();
    const full = `ail:${this.options.name}:${epoch}:${key}`;
    // cache-manager answers a failing store as a miss (it never throws on reads).
    const hit = await this.cache.get<T>(full);
    if (hit !== undefined && hit !== null) {
      this.lookups.inc({ cache: this.options.name, result: 'hit' });
      return hit;
    }
    this.lookups.inc({ cache: this.options.name, result: 'miss' });
    const value = await load();
    this.cache.set(full, value, this.config.cache.ttlSeconds * 1000).catch((error: Error) => this.logger.warn(`Cache write failed: ${error.message}`));
    return value;
  }

  /** A run finished here: move to its epoch and tell the other instances. */
  protected async advanceTo(runId: string): Promise<void> {
    this.advance(runId);
    await this.broadcast.publish(runId);
  }

  /** The current epoch (the latest finished run's id, or `none`); re-read once per CACHE_TTL_SECONDS without Redis. */
  async currentEpoch(): Promise<string> {
    if (!this.broadcast.live && Date.now() - this.epochReadAt > this.config.cache.ttlSeconds * 1000) await this.refreshEpoch();
    return this.epoch ?? NO_EPOCH;
  }

  private async refreshEpoch(): Promise<void> {
    try {
      const latest = await this.options.latestRunId();
      this.epochReadAt = Date.now();
      if (latest) this.advance(latest);
    } catch (error) {
      this.logger.warn(`Could not read the latest ${this.options.name} run (${(error as Error).message})`);
    }
  }

  /** Run ids are time-ordered (uuid v7): only a later run moves the epoch. */
  private advance(runId: string): void {
    if (this.epoch !== null && runId <= this.epoch) return;
    this.epoch = runId;
  }
}
