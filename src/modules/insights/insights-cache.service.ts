import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CacheStores } from '../../cache/app-cache.module';
import { EpochCache } from '../../cache/epoch-cache';
import { AppConfig } from '../../config/app-config';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';
import { MetricsService } from '../../observability/metrics.service';
import { INSIGHTS_GENERATED, type InsightsGeneratedEvent } from './generation.service';
import { InsightRuns } from './insight-runs';

/** Insight reads, cached per generation (`EpochCache`): a finished generation moves every instance to its answers. */
@Injectable()
export class InsightsCache extends EpochCache implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(CACHE_MANAGER) cache: Cache,
    stores: CacheStores,
    @Inject(REDIS_CLIENT) redis: RedisClient,
    runs: InsightRuns,
    config: AppConfig,
    metrics: MetricsService,
  ) {
    super(cache, stores, redis, config, metrics, { name: 'insights', latestRunId: () => runs.latestFinishedId() });
  }

  @OnEvent(INSIGHTS_GENERATED)
  async generated(event: InsightsGeneratedEvent): Promise<void> {
    await this.advanceTo(event.runId);
  }
}
