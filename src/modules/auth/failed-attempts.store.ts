import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';
import type { SharedOrLocal } from '../../common/resilience/shared-or-local';
import { redisOrLocal } from '../../redis/shared-or-local';

export interface Reservation {
  /** False when the address or the client is locked out; nothing was counted then. */
  granted: boolean;
  /** Attempts of this address for this client in the window (this one included when granted). */
  pairCount: number;
  /** Attempts for this client from every address in the window (this one included when granted). */
  clientCount: number;
  /** Seconds until the window ends; when refused, until the lockout ends. */
  retryAfterSeconds: number;
}

const MAX_MEMORY_KEYS = 100_000;

/**
 * Checks both limits and, when neither is reached, counts the attempt under both keys: one atomic step, so parallel
 * attempts cannot all pass a check made before any of them is counted. A key's window starts at its first attempt.
 * KEYS: pair, client. ARGV: pair limit, client limit, window (ms). Answers {granted, pair, client, ttl ms}.
 */
const RESERVE = `
local pair = tonumber(redis.call('GET', KEYS[1]) or '0')
local client = tonumber(redis.call('GET', KEYS[2]) or '0')
local pairLocked = pair >= tonumber(ARGV[1])
local clientLocked = client >= tonumber(ARGV[2])
if pairLocked or clientLocked then
  local ttl = 0
  if pairLocked then ttl = redis.call('PTTL', KEYS[1]) end
  if clientLocked then ttl = math.max(ttl, redis.call('PTTL', KEYS[2])) end
  return {0, pair, client, ttl}
end
pair = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
client = redis.call('INCR', KEYS[2])
if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return {1, pair, client, redis.call('PTTL', KEYS[1])}
`;

/** Gives an attempt back: the client key loses one; the pair key too (ARGV[1] = 'give-back') or starts over ('reset'). */
const RELEASE = `
local function giveBack(key)
  local n = tonumber(redis.call('GET', key) or '0')
  if n > 1 then redis.call('DECR', key) elseif n == 1 then redis.call('DEL', key) end
end
if ARGV[1] == 'reset' then redis.call('DEL', KEYS[1]) else giveBack(KEYS[1]) end
giveBack(KEYS[2])
return 0
`;

/**
 * Failed credential attempts per (address, client id) and per client id, each in a fixed window that starts at its
 * first attempt. An attempt is reserved before its secret is checked and stays counted when the secret is wrong.
 * In Redis when configured (shared by every instance, one Lua script per step), else — and while Redis is
 * unreachable — in a bounded in-process map.
 */
@Injectable()
export class FailedAttemptsStore {
  private readonly memory = new Map<string, { count: number; expiresAt: number }>();
  private readonly windowMs: number;
  private readonly maxPair: number;
  private readonly maxClient: number;
  private readonly shared: SharedOrLocal<NonNullable<RedisClient>>;

  constructor(@Inject(REDIS_CLIENT) redis: RedisClient, config: AppConfig) {
    this.windowMs = config.auth.failedWindowSeconds * 1000;
    this.maxPair = config.auth.maxFailedAttempts;
    this.maxClient = config.auth.maxFailedAttemptsPerClient;
    this.shared = redisOrLocal(redis, new Logger('FailedAttempts'), 'Failed-login lockouts');
  }

  /** Counts an attempt of `address` for `clientId` (canonical) unless either is locked out. */
  async reserve(address: string, clientId: string): Promise<Reservation> {
    const [pairKey, clientKey] = this.keys(address, clientId);
    const shared = await this.shared.run(async (redis) => {
      const [granted, pair, client, ttl] = (await redis.eval(
        RESERVE,
        2,
        pairKey,
        clientKey,
        this.maxPair,
        this.maxClient,
        this.windowMs,
      )) as number[];
      return {
        granted: granted === 1,
        pairCount: pair,
        clientCount: client,
        retryAfterSeconds: Math.ceil(Math.max(ttl, 0) / 1000),
      };
    });
    return shared ?? this.reserveLocally(pairKey, clientKey);
  }

  /** The secret was right: this address starts over for this client, and the client's count gives the attempt back. */
  async succeeded(address: string, clientId: string): Promise<void> {
    await this.release(address, clientId, 'reset');
  }

  /** The attempt was never judged (shed, or a dependency failed): both counts give it back. */
  async cancel(address: string, clientId: string): Promise<void> {
    await this.release(address, clientId, 'give-back');
  }

  private async release(address: string, clientId: string, pairMode: 'reset' | 'give-back'): Promise<void> {
    const [pairKey, clientKey] = this.keys(address, clientId);
    const done = await this.shared.run((redis) =>
      redis.eval(RELEASE, 2, pairKey, clientKey, pairMode).then(() => true),
    );
    if (done) return;
    if (pairMode === 'reset') this.memory.delete(pairKey);
    else this.giveBackLocally(pairKey);
    this.giveBackLocally(clientKey);
  }

  /** Synchronous from check to count, so in-process reservations are atomic too. */
  private reserveLocally(pairKey: string, clientKey: string): Reservation {
    const now = Date.now();
    const pair = this.live(pairKey, now);
    const client = this.live(clientKey, now);
    const pairLocked = (pair?.count ?? 0) >= this.maxPair;
    const clientLocked = (client?.count ?? 0) >= this.maxClient;
    if (pairLocked || clientLocked) {
      const until = Math.max(pairLocked ? pair!.expiresAt : now, clientLocked ? client!.expiresAt : now);
      return {
        granted: false,
        pairCount: pair?.count ?? 0,
        clientCount: client?.count ?? 0,
        retryAfterSeconds: Math.ceil((until - now) / 1000),
      };
    }
    const counted = [pairKey, clientKey].map((key, i) => {
      const entry = (i === 0 ? pair : client) ?? { count: 0, expiresAt: now + this.windowMs };
      entry.count += 1;
      this.memory.delete(key);
      this.memory.set(key, entry);
      return entry;
    });
    while (this.memory.size > MAX_MEMORY_KEYS) this.memory.delete(this.memory.keys().next().value as string);
    return {
      granted: true,
      pairCount: counted[0].count,
      clientCount: counted[1].count,
      retryAfterSeconds: Math.ceil((counted[0].expiresAt - now) / 1000),
    };
  }

  private giveBackLocally(key: string): void {
    const entry = this.live(key, Date.now());
    if (!entry) return;
    if (entry.count > 1) entry.count -= 1;
    else this.memory.delete(key);
  }

  private live(key: string, now: number) {
    const entry = this.memory.get(key);
    if (entry && entry.expiresAt <= now) {
      this.memory.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Both keys carry the client id as hash tag, so a Redis Cluster keeps them in one slot (one script may use both). */
  private keys(address: string, clientId: string): [pair: string, client: string] {
    return [`auth:failed:{${clientId}}:${address}`, `auth:failed:{${clientId}}`];
  }
}
