import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';

export const DATA_KEY_EVICTION_CHANNEL = 'ai-learning:crypto:data-key-evicted';

/**
 * Tells every instance to drop a user's cached data key (after a shred) through Redis pub/sub. Without Redis it
 * does nothing and other instances rely on the cache TTL (`DATA_KEY_CACHE_TTL_SECONDS`, 30 s by default then).
 */
@Injectable()
export class DataKeyEvictionBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DataKeyEvictionBus.name);
  private subscriber: Redis | null = null;
  private readonly handlers: ((userId: string) => void)[] = [];

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  get distributed(): boolean {
    return this.redis !== null;
  }

  onEviction(handler: (userId: string) => void): void {
    this.handlers.push(handler);
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    // A subscribed connection cannot issue other commands, so it gets its own.
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, userId: string) => this.handlers.forEach((h) => h(userId)));
    await this.subscriber.subscribe(DATA_KEY_EVICTION_CHANNEL).catch((error: Error) => {
      this.logger.warn(`Could not subscribe to data-key evictions (${error.message}); other instances' shreds reach this one by TTL only`);
    });
  }

  async publish(userId: string): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.publish(DATA_KEY_EVICTION_CHANNEL, userId);
    } catch (error) {
      this.logger.warn(`Could not publish a data-key eviction (${(error as Error).message}); other instances drop the key when its cache entry expires`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.subscriber && this.subscriber.status !== 'end') await this.subscriber.quit().catch(() => this.subscriber?.disconnect());
  }
}
