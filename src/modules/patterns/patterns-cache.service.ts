import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CacheStores } from '../../cache/app-cache.module';
import { EpochCache } from '../../cache/epoch-cache';
import { AppConfig } from '../../config/app-config';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';
import { MetricsService } from '../../observability/metrics.service';
import { PATTERNS_MINED, type PatternsMinedEvent } from './mining.service';
import { MiningRuns } from './mining-runs';

/** Pattern reads, cached per mining run (`EpochCache`): a finished run moves every instance to its answers. */
@Injectable()
export class PatternsCache extends EpochCache implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(CACHE_MANAGER) cache: Cache,
    stores: CacheStores,
    @Inject(REDIS_CLIENT) redis: RedisClient,
    runs: MiningRuns,
    config: AppConfig,
    metrics: MetricsService,
  ) {
    super(cache, stores, redis, config, metrics, { name: 'patterns', latestRunId: () => runs.latestFinishedId() });
  }

  @OnEvent(PATTERNS_MINED)
  async mined(event: PatternsMinedEvent): Promise<void> {
    await this.advanceTo(event.runId);
  }
}
