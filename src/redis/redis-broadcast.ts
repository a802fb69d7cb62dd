import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { RedisClient } from './redis.module';

const FIRST_SUBSCRIBE_WAIT_MS = 2_000;

/**
 * One pub/sub channel shared by every instance, for "forget what you cached about X" messages. Messages sent
 * while this instance's subscription is down are lost, so every (re)connection after the first calls `onReset`:
 * the listener must then drop everything it cached. Without Redis nothing is sent and nothing arrives.
 */
export class RedisBroadcast {
  private readonly logger: Logger;
  private subscriber: Redis | null = null;
  private subscribed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly channel: string,
    private readonly listener: { onMessage(message: string): void; onReset(): void },
  ) {
    this.logger = new Logger(`RedisBroadcast:${channel}`);
  }

  /** True when messages reach this instance at once (Redis configured and subscribed). */
  get live(): boolean {
    return this.subscribed;
  }

  /** Subscribes; waits for the first subscription at most 2 s (a Redis outage must not hold up the boot). */
  async start(): Promise<void> {
    if (!this.redis) return;
    // A subscribed connection cannot issue other commands, so it gets its own; subscriptions are renewed by hand.
    const subscriber = this.redis.duplicate({ autoResubscribe: false });
    this.subscriber = subscriber;
    let connectedBefore = false;
    let warned = false;
    let firstSubscribed: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstSubscribed = resolve));
    subscriber.on('error', (error: Error) => {
      if (!warned) this.logger.warn(`Channel unavailable (${error.message}); cached entries expire by TTL meanwhile`);
      warned = true;
    });
    subscriber.on('close', () => (this.subscribed = false));
    subscriber.on('message', (_channel: string, message: string) => this.listener.onMessage(message));
    subscriber.on('ready', () => {
      if (connectedBefore) this.listener.onReset();
      connectedBefore = true;
      subscriber
        .subscribe(this.channel)
        .then(() => {
          this.subscribed = true;
          warned = false;
          firstSubscribed();
        })
        .catch((error: Error) => this.logger.warn(`Could not subscribe: ${error.message}`));
    });
    const timer = setTimeout(firstSubscribed, FIRST_SUBSCRIBE_WAIT_MS);
    await first;
    clearTimeout(timer);
  }

  /** Sends to every instance (this one included). Failures are logged, not thrown: TTLs bound the staleness. */
  async publish(message: string): Promise<boolean> {
    if (!this.redis) return false;
    try {
      await this.redis.publish(this.channel, message);
      return true;
    } catch (error) {
      this.logger.warn(
        `Could not publish (${(error as Error).message}); other instances catch up when their cache entries expire`,
      );
      return false;
    }
  }

  async stop(): Promise<void> {
    const subscriber = this.subscriber;
    if (subscriber && subscriber.status !== 'end') await subscriber.quit().catch(() => subscriber.disconnect());
  }
}
