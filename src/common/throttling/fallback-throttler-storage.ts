import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerRecord } from './memory-throttler-storage';

/**
 * Shared rate limits through Redis while it is up, this process's own while it is not: a request never waits for or
 * fails on an unreachable Redis (limits then hold per instance, and the switch is logged once each way).
 */
export class FallbackThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimits');
  private degraded = false;

  constructor(
    private readonly shared: ThrottlerStorage,
    private readonly local: ThrottlerStorage,
    private readonly sharedUp: () => boolean,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    if (this.sharedUp()) {
      try {
        const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
        this.switchTo(false);
        return record;
      } catch (error) {
        this.switchTo(true, (error as Error).message);
      }
    } else {
      this.switchTo(true, 'Redis is not connected');
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  private switchTo(degraded: boolean, reason?: string): void {
    if (degraded === this.degraded) return;
    this.degraded = degraded;
    if (degraded)
      this.logger.warn(`Rate limits kept in this instance only (${reason}); they are shared again when Redis is back`);
    else this.logger.log('Rate limits shared through Redis again');
  }
}
