import { CacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CacheStores } from './cache-stores';
import { EpochCacheContext } from './epoch-cache';

@Global()
@Module({ providers: [CacheStores], exports: [CacheStores] })
class CacheStoresModule {}

/**
 * cache-manager (CACHE_MANAGER) for every module, on the Redis tier of `CacheStores` (with no store it would make an
 * unbounded memory one of its own, which is why `EpochCache` does not ask it without Redis).
 */
@Global()
@Module({
  imports: [
    CacheModule.registerAsync({
      isGlobal: true,
      imports: [CacheStoresModule],
      inject: [CacheStores, AppConfig],
      // `as never`: keyv's CommonJS and ESM type declarations are distinct types of the same classes.
      useFactory: (stores: CacheStores, config: AppConfig) => ({
        stores: stores.list as never,
        ttl: config.cache.ttlSeconds * 1000,
      }),
    }),
  ],
  providers: [EpochCacheContext],
  exports: [EpochCacheContext],
})
export class AppCacheModule {}
