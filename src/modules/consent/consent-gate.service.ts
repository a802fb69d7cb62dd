import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { TtlLruCache } from '../../common/cache/ttl-lru-cache';
import { AppConfig } from '../../config/app-config';
import { SqlPool } from '../../database/sql-pool.service';
import { RedisBroadcast } from '../../redis/redis-broadcast';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';
import { ConsentRequiredError } from './consent.errors';

export const CONSENT_CHANGED_CHANNEL = 'ai-learning:consent:changed';

/**
 * The one consent check every learning write goes through. Answers from a per-instance cache, so the ingestion
 * hot path reads the database once per user per TTL at most. A change is applied here at once and announced
 * on Redis, so other instances drop their entry within milliseconds.
 *
 * Without Redis, a refusal is cached for 1 s only, so a grant made elsewhere is honoured within 1 s; a consent is
 * cached for the full TTL, because a withdrawal made elsewhere never depends on it: the insert statement
 * re-checks consent itself and refuses, and the writer then calls `refuted` to correct this cache.
 */
@Injectable()
export class ConsentGate implements OnModuleInit, OnApplicationShutdown {
  private readonly cache: TtlLruCache<string, boolean>;
  private readonly broadcast: RedisBroadcast;
  private readonly refusalTtlMs: number;

  constructor(
    private readonly sql: SqlPool,
    config: AppConfig,
    @Inject(REDIS_CLIENT) redis: RedisClient,
  ) {
    this.cache = new TtlLruCache(config.consent.cacheSize, config.consent.cacheTtlSeconds * 1000);
    this.refusalTtlMs = config.consent.refusalCacheTtlSeconds * 1000;
    this.broadcast = new RedisBroadcast(redis, CONSENT_CHANGED_CHANNEL, {
      onMessage: (userId) => this.cache.delete(userId),
      onReset: () => this.cache.clear(),
    });
  }

  onModuleInit(): Promise<void> {
    return this.broadcast.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.broadcast.stop();
  }

  /** Whether the user consents to collective learning now. `userId` must be a canonical (lower-case) uuid. */
  async allows(userId: string): Promise<boolean> {
    const cached = this.cache.get(userId);
    if (cached !== undefined) return cached;
    const generation = this.cache.generation;
    const rows = await this.sql.query<{ allow: boolean }>(
      'SELECT allow_collective_learning AS allow FROM user_privacy_settings WHERE user_id = $1',
      [userId],
      'consent_gate_allows',
    );
    const allowed = rows[0]?.allow === true;
    this.cache.setIfUnchanged(userId, allowed, generation, this.ttl(allowed));
    return allowed;
  }

  /** Which of these users consent now: cached answers, and one query for all the others. */
  async allowedAmong(userIds: string[]): Promise<Set<string>> {
    const allowed = new Set<string>();
    const unknown: string[] = [];
    for (const userId of userIds) {
      const cached = this.cache.get(userId);
      if (cached === undefined) unknown.push(userId);
      else if (cached) allowed.add(userId);
    }
    if (unknown.length === 0) return allowed;
    const generation = this.cache.generation;
    const rows = await this.sql.query<{ user_id: string }>(
      'SELECT user_id FROM user_privacy_settings WHERE user_id = ANY($1::uuid[]) AND allow_collective_learning',
      [unknown],
      'consent_gate_allowed_among',
    );
    const found = new Set(rows.map((r) => r.user_id));
    for (const userId of unknown) {
      const yes = found.has(userId);
      this.cache.setIfUnchanged(userId, yes, generation, this.ttl(yes));
      if (yes) allowed.add(userId);
    }
    return allowed;
  }

  async assertAllowed(userId: string): Promise<void> {
    if (!(await this.allows(userId))) throw new ConsentRequiredError();
  }

  /** Called by the ledger after a change is committed: this instance at once, the others through Redis. */
  async changed(userId: string, allowed: boolean): Promise<void> {
    this.cache.delete(userId); // an in-flight read of the old answer must not land after this one
    this.cache.set(userId, allowed, this.ttl(allowed));
    await this.broadcast.publish(userId);
  }

  /**
   * A writer found in the database that users this cache let through no longer consent: corrects the cache and
   * answers which of them have no consent record at all (erased, or never asked), whose data key the writer may
   * have created for nothing.
   */
  async refuted(userIds: string[]): Promise<string[]> {
    for (const userId of userIds) {
      this.cache.delete(userId);
      this.cache.set(userId, false, this.refusalTtlMs);
    }
    const known = await this.sql.query<{ user_id: string }>(
      'SELECT user_id FROM user_privacy_settings WHERE user_id = ANY($1::uuid[])',
      [userIds],
    );
    const withRecord = new Set(known.map((r) => r.user_id));
    return userIds.filter((u) => !withRecord.has(u));
  }

  private ttl(allowed: boolean): number | undefined {
    return allowed ? undefined : this.refusalTtlMs;
  }
}
