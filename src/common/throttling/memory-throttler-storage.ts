import { Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

/** What `ThrottlerStorage.increment` answers (the guard reads it to allow, count and set Retry-After). */
export interface ThrottlerRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/** The hits of one tracker under one throttler: expiry times in arrival order (a queue; `head` is the oldest). */
interface Window {
  expiries: number[];
  head: number;
  expiresAt: number;
  blocked: boolean;
  blockExpiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * In-process rate-limit storage with the semantics of @nestjs/throttler's own (a sliding window of hits per tracker,
 * blocking for `blockDuration` once over the limit) at constant cost per request: the built-in storage filters every
 * hit of the window on every request (and spreads them into Math.min), so a busy client costs in proportion to its
 * limit. Here a tracker's hits form a queue ordered by expiry (the TTL of a throttler is fixed), so only expired hits
 * are looked at, once. Idle trackers are swept every minute. Used when no Redis is configured.
 */
export class MemoryThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private sweeper?: NodeJS.Timeout;

  private readonly now: () => number;

  constructor(now?: () => number) {
    this.now = now ?? Date.now;
  }

  onApplicationShutdown(): void {
    this.close();
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    return Promise.resolve(this.hit(`${throttlerName}\u0000${key}`, ttl, limit, blockDuration));
  }

  /** Stops the sweep timer and forgets every tracker. */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.windows.clear();
  }

  private hit(id: string, ttl: number, limit: number, blockDuration: number): ThrottlerRecord {
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
    const now = this.now();
    let w = this.windows.get(id);
    if (!w) {
      w = { expiries: [], head: 0, expiresAt: now + ttl, blocked: false, blockExpiresAt: 0 };
      this.windows.set(id, w);
    }
    prune(w, now);
    if (w.expiresAt <= now) w.expiresAt = now + ttl;
    const timeToExpire = seconds(w.expiresAt - now);

    if (blockDuration <= 0) {
      const blocked = count(w) >= limit;
      if (!blocked) w.expiries.push(now + ttl);
      const timeToBlockExpire = count(w) > 0 ? seconds(w.expiries[w.head] - now) : timeToExpire;
      return {
        totalHits: count(w) + (blocked ? 1 : 0),
        timeToExpire,
        isBlocked: blocked,
        timeToBlockExpire: blocked ? timeToBlockExpire : 0,
      };
    }

    if (!w.blocked) w.expiries.push(now + ttl);
    if (count(w) > limit && !w.blocked) {
      w.blocked = true;
      w.blockExpiresAt = now + blockDuration;
    }
    let timeToBlockExpire = seconds(w.blockExpiresAt - now);
    if (w.blocked && timeToBlockExpire <= 0) {
      // The block is over: start afresh with this request.
      w.blocked = false;
      w.expiries = [now + ttl];
      w.head = 0;
      timeToBlockExpire = seconds(w.blockExpiresAt - now);
    }
    return { totalHits: count(w), timeToExpire, isBlocked: w.blocked, timeToBlockExpire };
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, w] of this.windows) {
      prune(w, now);
      if (count(w) === 0 && w.expiresAt <= now && !(w.blocked && w.blockExpiresAt > now)) this.windows.delete(id);
    }
  }
}

const seconds = (ms: number) => Math.ceil(ms / 1000);
const count = (w: Window) => w.expiries.length - w.head;

/** Drops expired hits from the front; compacts the array once half of it is dead. */
function prune(w: Window, now: number): void {
  while (w.head < w.expiries.length && w.expiries[w.head] <= now) w.head++;
  if (w.head > 32 && w.head * 2 > w.expiries.length) {
    w.expiries = w.expiries.slice(w.head);
    w.head = 0;
  }
}

/** Provides the storage to the throttler's async configuration (and stops its sweep at shutdown). */
@Module({
  providers: [{ provide: MemoryThrottlerStorage, useFactory: () => new MemoryThrottlerStorage() }],
  exports: [MemoryThrottlerStorage],
})
export class MemoryThrottlerStorageModule {}
