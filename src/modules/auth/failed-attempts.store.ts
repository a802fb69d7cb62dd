import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';

export interface AttemptState {
  count: number;
  /** Seconds until the window (and any lockout) ends. */
  retryAfterSeconds: number;
}

const MAX_MEMORY_KEYS = 100_000;

/**
 * Counts failed credential attempts per key inside a fixed window that starts at the first failure. In Redis
 * when configured (shared by every instance), else in a bounded in-process map.
 */
@Injectable()
export class FailedAttemptsStore {
  private readonly memory = new Map<string, { count: number; expiresAt: number }>();
  private readonly windowMs: number;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    config: AppConfig,
  ) {
    this.windowMs = config.auth.failedWindowSeconds * 1000;
  }

  async get(key: string): Promise<AttemptState> {
    if (this.redis) {
      const [count, ttl] = await this.redis.multi().get(this.redisKey(key)).pttl(this.redisKey(key)).exec().then((r) => r?.map((x) => x[1]) ?? []);
      return { count: Number(count ?? 0), retryAfterSeconds: Math.ceil(Math.max(Number(ttl), 0) / 1000) };
    }
    const entry = this.live(key);
    return entry ? { count: entry.count, retryAfterSeconds: Math.ceil((entry.expiresAt - Date.now()) / 1000) } : { count: 0, retryAfterSeconds: 0 };
  }

  async increment(key: string): Promise<AttemptState> {
    if (this.redis) {
      const k = this.redisKey(key);
      const res = await this.redis.multi().incr(k).pexpire(k, this.windowMs, 'NX').pttl(k).exec();
      const count = Number(res?.[0]?.[1] ?? 1);
      const ttl = Number(res?.[2]?.[1] ?? this.windowMs);
      return { count, retryAfterSeconds: Math.ceil(Math.max(ttl, 0) / 1000) };
    }
    const now = Date.now();
    const entry = this.live(key) ?? { count: 0, expiresAt: now + this.windowMs };
    entry.count += 1;
    this.memory.delete(key);
    this.memory.set(key, entry);
    if (this.memory.size > MAX_MEMORY_KEYS) this.memory.delete(this.memory.keys().next().value as string);
    return { count: entry.count, retryAfterSeconds: Math.ceil((entry.expiresAt - now) / 1000) };
  }

  async reset(key: string): Promise<void> {
    if (this.redis) await this.redis.del(this.redisKey(key));
    else this.memory.delete(key);
  }

  private live(key: string) {
    const entry = this.memory.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.memory.delete(key);
      return undefined;
    }
    return entry;
  }

  private redisKey(key: string): string {
    return `auth:failed:${key}`;
  }
}
