import type { Logger } from '@nestjs/common';
import type { RedisClient } from './redis.module';

/**
 * State that is shared through Redis when it is configured and up, and kept in this process otherwise: `run` gives
 * a step the Redis client, or answers null (the caller then uses its in-process copy) when Redis is not configured,
 * not connected, or the step failed. The switch both ways is logged once, naming `what`.
 */
export class SharedOrLocal {
  private degraded = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  async run<T>(step: (redis: NonNullable<RedisClient>) => Promise<T>): Promise<T | null> {
    if (!this.redis) return null;
    if (this.redis.status !== 'ready') {
      this.switchTo(true, 'Redis is not connected');
      return null;
    }
    try {
      const result = await step(this.redis);
      this.switchTo(false);
      return result;
    } catch (error) {
      this.switchTo(true, (error as Error).message);
      return null;
    }
  }

  private switchTo(degraded: boolean, reason?: string): void {
    if (degraded === this.degraded) return;
    this.degraded = degraded;
    if (degraded)
      this.logger.warn(`${this.what} kept in this instance only (${reason}); they are shared again when Redis is back`);
    else this.logger.log(`${this.what} shared through Redis again`);
  }
}
