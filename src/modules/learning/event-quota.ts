import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';
import type { SharedOrLocal } from '../../common/resilience/shared-or-local';
import { redisOrLocal } from '../../redis/shared-or-local';
import { BlindIndexService } from '../crypto/blind-index.service';

/** One user's items of a request, in request order: the size (bytes of `data`) of each. */
export interface QuotaCharge {
  userId: string;
  sizes: number[];
}

/** What a reservation let through: per charge, how many of its first items fit; and when the window ends. */
export interface QuotaReservation {
  window: number;
  admitted: number[];
  retryAfterSeconds: number;
  /** Whether Redis counted it (else this instance did): a refund goes back where the reservation was made. */
  shared: boolean;
}

/** Items given back (not stored after all), per user, in the window they were reserved in. */
export interface QuotaRefund {
  userId: string;
  events: number;
  bytes: number;
}

/**
 * KEYS: one counter hash per user; ARGV: max events, max bytes, ttl ms, then per key its item count followed by the
 * sizes. Admits each user's items in order while both counts stay within the limits, counts them, and answers how
 * many were admitted per key. One script, so concurrent requests of one user on any instance cannot overshoot.
 */
const RESERVE = `
local maxEvents, maxBytes, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local admitted, arg = {}, 4
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[arg]); arg = arg + 1
  local counts = redis.call('HMGET', key, 'e', 'b')
  local events, bytes = tonumber(counts[1] or '0'), tonumber(counts[2] or '0')
  local took, added = 0, 0
  for j = 1, n do
    local size = tonumber(ARGV[arg + j - 1])
    if events + took + 1 > maxEvents or bytes + added + size > maxBytes then break end
    took = took + 1; added = added + size
  end
  arg = arg + n
  if took > 0 then
    redis.call('HINCRBY', key, 'e', took)
    redis.call('HINCRBY', key, 'b', added)
    redis.call('PEXPIRE', key, ttl)
  end
  admitted[i] = took
end
return admitted
`;

/** KEYS: counter hashes; ARGV: events then bytes per key. Gives items back to windows that still exist, never below 0. */
const REFUND = `
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    local counts = redis.call('HMGET', key, 'e', 'b')
    local events, bytes = tonumber(counts[1] or '0'), tonumber(counts[2] or '0')
    redis.call('HSET', key, 'e', math.max(0, events - tonumber(ARGV[2 * i - 1])), 'b', math.max(0, bytes - tonumber(ARGV[2 * i])))
  end
end
return 1
`;

/** In-process counters of at most this many users (those whose window started longest ago go first). */
const MAX_LOCAL_USERS = 100_000;

/**
 * The per-user bound on event volume: at most `LEARNING_USER_QUOTA_EVENTS` events and `LEARNING_USER_QUOTA_BYTES`
 * bytes of `data` per user in each fixed window of `LEARNING_USER_QUOTA_WINDOW_SECONDS`, whoever sends them (the
 * user's own token or any service). Items are reserved before they are sealed and stored, and given back when they
 * are not stored after all (a duplicate, no consent, a failure), so the quota counts stored events and a client's
 * retries do not use it up. Shared through Redis when configured; otherwise, and while Redis is unreachable, each
 * instance keeps its own counts (so N instances admit up to N times the quota then). Keys hold a keyed hash of the
 * user id, never the id.
 */
@Injectable()
export class EventQuota {
  private readonly windowMs: number;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly shared: SharedOrLocal<NonNullable<RedisClient>>;
  private readonly local = new Map<string, { window: number; events: number; bytes: number }>();

  constructor(
    @Inject(REDIS_CLIENT) redis: RedisClient,
    config: AppConfig,
    private readonly blindIndex: BlindIndexService,
  ) {
    const quota = config.learning.userQuota;
    this.windowMs = quota.windowSeconds * 1000;
    this.maxEvents = quota.events;
    this.maxBytes = quota.bytes;
    this.shared = redisOrLocal(redis, new Logger('EventQuota'), 'Per-user event quotas');
  }

  async reserve(charges: QuotaCharge[], now = Date.now()): Promise<QuotaReservation> {
    const window = Math.floor(now / this.windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * this.windowMs - now) / 1000));
    if (charges.length === 0) return { window, admitted: [], retryAfterSeconds, shared: false };
    const keys = charges.map((c) => this.key(window, c.userId));
    const admitted = await this.shared.run(async (redis) => {
      const args = [
        this.maxEvents,
        this.maxBytes,
        this.windowMs,
        ...charges.flatMap((c) => [c.sizes.length, ...c.sizes]),
      ];
      return (await redis.eval(RESERVE, keys.length, ...keys, ...args)) as number[];
    });
    if (admitted) return { window, admitted, retryAfterSeconds, shared: true };
    return {
      window,
      admitted: charges.map((c) => this.reserveLocally(c.userId, window, c.sizes)),
      retryAfterSeconds,
      shared: false,
    };
  }

  /**
   * Gives items back to the store that reserved them, in their window. Best effort: a refund that cannot reach
   * Redis is dropped (the counts then err on the strict side).
   */
  async refund(reservation: QuotaReservation, refunds: QuotaRefund[]): Promise<void> {
    const given = refunds.filter((r) => r.events > 0);
    if (given.length === 0) return;
    const { window } = reservation;
    if (reservation.shared) {
      const keys = given.map((r) => this.key(window, r.userId));
      await this.shared.run((redis) =>
        redis.eval(REFUND, keys.length, ...keys, ...given.flatMap((r) => [r.events, r.bytes])),
      );
      return;
    }
    for (const r of given) {
      const entry = this.local.get(this.userKey(r.userId));
      if (!entry || entry.window !== window) continue;
      entry.events = Math.max(0, entry.events - r.events);
      entry.bytes = Math.max(0, entry.bytes - r.bytes);
    }
  }

  /** Synchronous from check to count, so in-process reservations are atomic too. */
  private reserveLocally(userId: string, window: number, sizes: number[]): number {
    const key = this.userKey(userId);
    let entry = this.local.get(key);
    if (!entry || entry.window !== window) {
      this.local.delete(key);
      while (this.local.size >= MAX_LOCAL_USERS) this.local.delete(this.local.keys().next().value as string);
      entry = { window, events: 0, bytes: 0 };
      this.local.set(key, entry);
    }
    let took = 0;
    for (const size of sizes) {
      if (entry.events + 1 > this.maxEvents || entry.bytes + size > this.maxBytes) break;
      entry.events += 1;
      entry.bytes += size;
      took += 1;
    }
    return took;
  }

  private key(window: number, userId: string): string {
    return `ai-learning:quota:${window}:${this.userKey(userId)}`;
  }

  /** A keyed hash (the blind-index HMAC) names a user's counters: unlinkable to the user id without the key. */
  private userKey(userId: string): string {
    return this.blindIndex.compute('quota', userId).slice(0, 32);
  }
}
