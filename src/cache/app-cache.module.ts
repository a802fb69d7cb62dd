import KeyvRedis from '@keyv/redis';
import { CacheModule } from '@nestjs/cache-manager';
import { Global, Injectable, Logger, Module } from '@nestjs/common';
import { KeyvCacheableMemory } from 'cacheable';
import { Keyv, type KeyvStoreAdapter } from 'keyv';
import { AppConfig } from '../config/app-config';
import { WhenReadyStore } from './when-ready-store';

/**
 * The stores behind cache-manager: memory first (an LRU of CACHE_MEMORY_MAX_ENTRIES), then Redis when REDIS_URL is
 * set (shared by every instance). Redis never fails or slows a read: while it is unreachable its tier is skipped
 * (`WhenReadyStore`) and the memory tier and the loaders carry on.
 */
@Injectable()
export class CacheStores {
  readonly list: (Keyv | KeyvStoreAdapter)[];

  constructor(config: AppConfig) {
    // The memory tier keeps values as they are: no clone and no JSON round trip per hit (a Keyv of our own with its
    // serializer off; cache-manager would otherwise wrap the store in a Keyv that stringifies and parses every
    // value). Callers must treat cached values as read-only. One Map (storeHashSize 1): the default spreads keys
    // over 16 Maps by hashing each key on every read, which buys nothing in one thread. The Redis tier
    // serializes, as it must.
    const memory = new Keyv({
      store: new KeyvCacheableMemory({ ttl: config.cache.ttlSeconds * 1000, lruSize: config.cache.memoryMaxEntries, useClone: false, storeHashSize: 1 }) as unknown as KeyvStoreAdapter,
      ttl: config.cache.ttlSeconds * 1000,
    });
    memory.serialize = undefined;
    memory.deserialize = undefined;
    this.list = [memory];
    if (config.redis.url) {
      const logger = new Logger('CacheRedis');
      // Keys are prefixed by their users (`ail:<area>:…`): cache-manager's Keyv wrapper sets no namespace.
      const redis = new KeyvRedis(config.redis.url, { throwOnConnectError: false, throwOnErrors: false, connectionTimeout: 2_000 });
      let reported = false;
      redis.on('error', (error: Error) => {
        if (!reported) logger.warn(`Redis cache tier unavailable (${error.message}); reads fall back to memory and the database`);
        reported = true;
      });
      // Closed by @nestjs/cache-manager, which disconnects every store when the module is destroyed.
      this.list.push(new WhenReadyStore(redis) as unknown as KeyvStoreAdapter);
    }
  }
}

@Global()
@Module({ providers: [CacheStores], exports: [CacheStores] })
class CacheStoresModule {}

/**
 * cache-manager (CACHE_MANAGER) for every module, on the two tiers of `CacheStores`. Reads ask memory, then Redis
 * (cache-manager's `nonBlocking` mode races the tiers, so a memory miss would hide a Redis hit: not used).
 */
@Global()
@Module({
  imports: [
    CacheModule.registerAsync({
      isGlobal: true,
      imports: [CacheStoresModule],
      inject: [CacheStores, AppConfig],
      // `as never`: keyv's CommonJS and ESM type declarations are distinct types of the same classes.
      useFactory: (stores: CacheStores, config: AppConfig) => ({ stores: stores.list as never, ttl: config.cache.ttlSeconds * 1000 }),
    }),
  ],
})
export class AppCacheModule {}
