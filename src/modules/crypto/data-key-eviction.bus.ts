import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';

export const DATA_KEY_EVICTION_CHANNEL = 'ai-learning:crypto:data-key-evicted';
const FIRST_SUBSCRIBE_WAIT_MS = 2_000;

/**
 * Tells every instance to drop a user's cached data key (after a shred) through Redis pub/sub. Without Redis it
 * does nothing and other instances rely on the cache TTL (`DATA_KEY_CACHE_TTL_SECONDS`, 30 s by default then).
 * Messages sent while this instance's subscription was down are lost, so every (re)connection after the first
 * tells the cache to drop everything.
 */
@Injectable()
export class DataKeyEvictionBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DataKeyEvictionBus.name);
  private subscriber: Redis | null = null;
  private subscribed = false;
  private readonly evictHandlers: ((userId: string) => void)[] = [];
  private readonly resetHandlers: (() => void)[] = [];

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  /** True when evictions reach this instance at once (Redis configured and subscribed). */
  get live(): boolean {
    return this.subscribed;
  }

  onEviction(handler: (userId: string) => void): void {
    this.evictHandlers.push(handler);
  }

  onReset(handler: () => void): void {
    this.resetHandlers.push(handler);
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    // A subscribed connection cannot issue other commands, so it gets its own; subscriptions are renewed by hand.
    const subscriber = this.redis.duplicate({ autoResubscribe: false });
    this.subscriber = subscriber;
    let connectedBefore = false;
    let warned = false;
    let firstSubscribed: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstSubscribed = resolve));
    subscriber.on('error', (error: Error) => {
      if (!warned) this.logger.warn(`Data-key eviction channel unavailable (${error.message}); cached keys expire by TTL meanwhile`);
      warned = true;
    });
    subscriber.on('close', () => (this.subscribed = false));
    subscriber.on('message', (_channel: string, userId: string) => this.evictHandlers.forEach((h) => h(userId)));
    subscriber.on('ready', () => {
      if (connectedBefore) this.resetHandlers.forEach((h) => h());
      connectedBefore = true;
      subscriber
        .subscribe(DATA_KEY_EVICTION_CHANNEL)
        .then(() => {
          this.subscribed = true;
          warned = false;
          firstSubscribed();
        })
        .catch((error: Error) => this.logger.warn(`Could not subscribe to data-key evictions: ${error.message}`));
    });
    const timer = setTimeout(firstSubscribed, FIRST_SUBSCRIBE_WAIT_MS);
    await first;
    clearTimeout(timer);
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
    const subscriber = this.subscriber;
    if (subscriber && subscriber.status !== 'end') await subscriber.quit().catch(() => subscriber.disconnect());
  }
}
