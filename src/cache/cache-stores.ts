import KeyvRedis from '@keyv/redis';
import { Injectable, Logger } from '@nestjs/common';
import type { KeyvStoreAdapter } from 'keyv';
import { TtlLruCache } from '../common/cache/ttl-lru-cache';
import { AppConfig } from '../config/app-config';
import { WhenReadyStore } from './when-ready-store';

/**
 * The two tiers of the read caches (`EpochCache`): `memory`, one LRU of CACHE_MEMORY_MAX_ENTRIES per instance shared
 * by every read cache (keys carry the cache's name), read synchronously; and, when REDIS_URL is set, Redis behind
 * cache-manager (`list`), shared by every instance. Redis never fails or slows a read: while it is unreachable its
 * tier is skipped (`WhenReadyStore`) and the memory tier and the loaders carry on.
 */
@Injectable()
export class CacheStores {
  /**
   * Values are kept as they are (no clone, no JSON round trip per hit): callers must treat them as read-only. A hit
   * is one Map lookup with no promise in between, which cache-manager's own memory tier (three async layers) was not.
   */
  readonly memory: TtlLruCache<string, unknown>;
  /** The stores cache-manager reads and writes: the Redis tier, or none. */
  readonly list: KeyvStoreAdapter[] = [];

  constructor(config: AppConfig) {
    this.memory = new TtlLruCache(config.cache.memoryMaxEntries, config.cache.ttlSeconds * 1000);
    if (config.redis.url) {
      const logger = new Logger('CacheRedis');
      // Keys are prefixed by their users (`ail:<area>:…`): cache-manager's Keyv wrapper sets no namespace.
      const redis = new KeyvRedis(config.redis.url, {
        throwOnConnectError: false,
        throwOnErrors: false,
        connectionTimeout: 2_000,
      });
      let reported = false;
      redis.on('error', (error: Error) => {
        if (!reported)
          logger.warn(`Redis cache tier unavailable (${error.message}); reads fall back to memory and the database`);
        reported = true;
      });
      // Closed by @nestjs/cache-manager, which disconnects every store when the module is destroyed.
      this.list.push(new WhenReadyStore(redis));
    }
  }

  /** Whether there is a shared (Redis) tier; without one, cache-manager is not asked at all. */
  get shared(): boolean {
    return this.list.length > 0;
  }
}
