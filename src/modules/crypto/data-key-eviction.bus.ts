import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { RedisBroadcast } from '../../redis/redis-broadcast';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';

export const DATA_KEY_EVICTION_CHANNEL = 'ai-learning:crypto:data-key-evicted';

/**
 * Tells every instance to drop a user's cached data key (after a shred) through Redis pub/sub. Without Redis
 * other instances rely on the cache TTL (`DATA_KEY_CACHE_TTL_SECONDS`, 30 s by default then). After a lost
 * subscription the cache is told to forget everything, as evictions may have been missed.
 */
@Injectable()
export class DataKeyEvictionBus implements OnModuleInit, OnApplicationShutdown {
  private readonly evictHandlers: ((userId: string) => void)[] = [];
  private readonly resetHandlers: (() => void)[] = [];
  private readonly broadcast: RedisBroadcast;

  constructor(@Inject(REDIS_CLIENT) redis: RedisClient) {
    this.broadcast = new RedisBroadcast(redis, DATA_KEY_EVICTION_CHANNEL, {
      onMessage: (userId) => this.evictHandlers.forEach((h) => h(userId)),
      onReset: () => this.resetHandlers.forEach((h) => h()),
    });
  }

  get live(): boolean {
    return this.broadcast.live;
  }

  onEviction(handler: (userId: string) => void): void {
    this.evictHandlers.push(handler);
  }

  onReset(handler: () => void): void {
    this.resetHandlers.push(handler);
  }

  onModuleInit(): Promise<void> {
    return this.broadcast.start();
  }

  async publish(userId: string): Promise<void> {
    await this.broadcast.publish(userId);
  }

  onApplicationShutdown(): Promise<void> {
    return this.broadcast.stop();
  }
}
