import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { Counter } from 'prom-client';
import { isUuid } from '../../common/ids/uuid';
import { AppConfig } from '../../config/app-config';
import { RedisBroadcast } from '../../redis/redis-broadcast';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';
import { MetricsService } from '../metrics/metrics.service';
import { PATTERNS_MINED, type PatternsMinedEvent } from './mining.service';
import { MiningRunsRepository } from './mining-runs.repository';

const CHANNEL = 'patterns:mined';
const NO_EPOCH = 'none';

/**
 * Pattern reads through cache-manager's two tiers (memory, then Redis when configured). Every key carries the
 * id of the latest finished mining run (the epoch): when a run finishes, its instance moves to the new epoch and
 * tells the others through Redis, so no instance serves the previous run's answers from then on; old entries
 * simply expire. Without Redis other instances move on when they next read the epoch, at most CACHE_TTL_SECONDS
 * later. A cache failure never fails a read: it is answered from the database.
 */
@Injectable()
export class PatternsCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PatternsCache.name);
  private readonly broadcast: RedisBroadcast;
  private readonly lookups: Counter<'cache' | 'result'>;
  private epoch: string | null = null;
  private epochReadAt = 0;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(REDIS_CLIENT) redis: RedisClient,
    private readonly runs: MiningRunsRepository,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.broadcast = new RedisBroadcast(redis, CHANNEL, {
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
   * is nothing worth caching (and no epoch that is unique to this database), so reads go to the database.
   */
  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const epoch = await this.currentEpoch();
    if (epoch === NO_EPOCH) return load();
    const full = `ail:patterns:${epoch}:${key}`;
    // cache-manager answers a failing store as a miss (it never throws on reads).
    const hit = await this.cache.get<T>(full);
    if (hit !== undefined && hit !== null) {
      this.lookups.inc({ cache: 'patterns', result: 'hit' });
      return hit;
    }
    this.lookups.inc({ cache: 'patterns', result: 'miss' });
    const value = await load();
    this.cache.set(full, value, this.config.cache.ttlSeconds * 1000).catch((error: Error) => this.logger.warn(`Cache write failed: ${error.message}`));
    return value;
  }

  @OnEvent(PATTERNS_MINED)
  async mined(event: PatternsMinedEvent): Promise<void> {
    this.advance(event.runId);
    await this.broadcast.publish(event.runId);
  }

  /**
   * The current epoch (the latest finished run's id, or `none`). Without Redis nothing announces other instances'
   * runs, so it is re-read once per CACHE_TTL_SECONDS.
   */
  async currentEpoch(): Promise<string> {
    if (!this.broadcast.live && Date.now() - this.epochReadAt > this.config.cache.ttlSeconds * 1000) await this.refreshEpoch();
    return this.epoch ?? NO_EPOCH;
  }

  private async refreshEpoch(): Promise<void> {
    try {
      const latest = await this.runs.latestFinishedId();
      this.epochReadAt = Date.now();
      if (latest) this.advance(latest);
    } catch (error) {
      this.logger.warn(`Could not read the latest mining run (${(error as Error).message})`);
    }
  }

  /** Run ids are time-ordered (uuid v7): only a later run moves the epoch. */
  private advance(runId: string): void {
    if (this.epoch !== null && runId <= this.epoch) return;
    this.epoch = runId;
  }
}
