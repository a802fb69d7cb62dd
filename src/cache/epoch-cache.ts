import { CACHE_MANAGER, type Cache } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { isUuid } from '../common/ids/uuid';
import { keysetPage, mapPage, positionOf, type KeysetRequest } from '../common/pagination/keyset-page';
import { AppConfig } from '../config/app-config';
import { CacheStores } from './cache-stores';
import { MetricsService } from '../observability/metrics.service';
import { RedisBroadcast } from '../redis/redis-broadcast';
import { REDIS_CLIENT, type RedisClient } from '../redis/redis.module';

const NO_EPOCH = 'none';

/** What the Redis tier holds: the value and when it expires, so another instance keeps it in memory no longer. */
interface Shared<T> {
  value: T;
  expiresAt: number;
}

const isShared = (entry: unknown): entry is Shared<unknown> =>
  typeof entry === 'object' &&
  entry !== null &&
  'value' in entry &&
  typeof (entry as { expiresAt?: unknown }).expiresAt === 'number';

/** What every epoch cache is built on, injected once (a subclass takes this and its own run book). */
@Injectable()
export class EpochCacheContext {
  constructor(
    @Inject(CACHE_MANAGER) readonly cache: Cache,
    readonly stores: CacheStores,
    @Inject(REDIS_CLIENT) readonly redis: RedisClient,
    readonly config: AppConfig,
    readonly metrics: MetricsService,
  ) {}
}

export interface EpochCacheOptions {
  /** Names the keys (`ail:<name>:<epoch>:<key>`), the Redis channel (`<name>:epoch`) and the metric label. */
  name: string;
  /** The id of the latest finished run (uuid v7), or null before any. */
  latestRunId(): Promise<string | null>;
}

/**
 * Reads through two tiers (`CacheStores`: this instance's memory, then Redis through cache-manager when configured)
 * for data that changes only when a run finishes. Every key carries the id of the latest finished run (the epoch): when a run finishes, its instance
 * moves to the new epoch (`advanceTo`) and tells the others through Redis, so no instance serves the previous
 * run's answers from then on; old entries simply expire. Without Redis other instances move on when they next read
 * the epoch, at most CACHE_TTL_SECONDS later. A cache failure never fails a read: it is answered from the source.
 */
export abstract class EpochCache {
  private readonly logger: Logger;
  private readonly broadcast: RedisBroadcast;
  /** `cache_lookups_total` of this cache, by result (label children bound once, not hashed per read). */
  private readonly hits: Counter.Internal;
  private readonly misses: Counter.Internal;
  private epoch: string | null = null;
  private epochReadAt = 0;

  private readonly cache: Cache;
  private readonly stores: CacheStores;
  private readonly config: AppConfig;

  protected constructor(
    context: EpochCacheContext,
    private readonly options: EpochCacheOptions,
  ) {
    ({ cache: this.cache, stores: this.stores, config: this.config } = context);
    const { redis, metrics } = context;
    this.logger = new Logger(`${options.name}Cache`);
    this.broadcast = new RedisBroadcast(redis, `${options.name}:epoch`, {
      onMessage: (runId) => {
        if (isUuid(runId)) this.advance(runId);
      },
      onReset: () => void this.refreshEpoch(),
    });
    const lookups = metrics.counter({
      name: 'cache_lookups_total',
      help: 'Read-cache lookups by cache and result (hit, miss)',
      labelNames: ['cache', 'result'],
    });
    this.hits = lookups.labels({ cache: options.name, result: 'hit' });
    this.misses = lookups.labels({ cache: options.name, result: 'miss' });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refreshEpoch();
    await this.broadcast.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broadcast.stop();
  }

  /**
   * The cached value of `key` for the current epoch, or `load()`'s (then cached). Before any run has finished there
   * is nothing worth caching (and no epoch that is unique to this database), so reads go to the source.
   */
  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const epoch = this.epochIfFresh() ?? (await this.rereadEpoch());
    if (epoch === NO_EPOCH) return load();
    const full = `ail:${this.options.name}:${epoch}:${key}`;
    const held = this.stores.memory.get(full);
    if (held !== undefined) return this.hit(held as T);
    if (this.stores.shared) {
      // cache-manager answers a failing store as a miss (it never throws on reads).
      const shared = await this.cache.get<unknown>(full);
      if (isShared(shared) && shared.expiresAt > Date.now()) {
        // Kept here only as long as it lives in Redis: no answer outlives CACHE_TTL_SECONDS from when it was loaded.
        this.stores.memory.set(full, shared.value, shared.expiresAt - Date.now());
        return this.hit(shared.value as T);
      }
    }
    this.misses.inc();
    const ttlMs = this.config.cache.ttlSeconds * 1000;
    const value = await load();
    this.stores.memory.set(full, value, ttlMs);
    if (this.stores.shared) {
      const entry: Shared<T> = { value, expiresAt: Date.now() + ttlMs };
      this.cache
        .set(full, entry, ttlMs)
        .catch((error: Error) => this.logger.warn(`Cache write failed: ${error.message}`));
    }
    return value;
  }

  /**
   * One keyset page as its JSON text, cached as text: a hit goes to the socket as it is, with no serialization per
   * request (the page is the same for everyone who asks the same question in the same run). Text rather than bytes:
   * Node writes a string answer together with its head in one write, a Buffer as a second chunk (writev), which
   * measured about 10 % slower per answer. A bad cursor is a 400 before the cache is asked.
   */
  async pageJson<Row, Position, View>(
    request: KeysetRequest<Row, Position>,
    toView: (row: Row) => View,
  ): Promise<string> {
    positionOf(request);
    const key = `list:${JSON.stringify([request.filters, request.cursor ?? null, request.limit])}`;
    return this.read(key, async () => JSON.stringify(mapPage(await keysetPage(request), toView)));
  }

  private hit<T>(value: T): T {
    this.hits.inc();
    return value;
  }

  /** A run finished here: move to its epoch and tell the other instances. */
  protected async advanceTo(runId: string): Promise<void> {
    this.advance(runId);
    await this.broadcast.publish(runId);
  }

  /** The current epoch (the latest finished run's id, or `none`); re-read once per CACHE_TTL_SECONDS without Redis. */
  async currentEpoch(): Promise<string> {
    return this.epochIfFresh() ?? this.rereadEpoch();
  }

  private async rereadEpoch(): Promise<string> {
    await this.refreshEpoch();
    return this.epoch ?? NO_EPOCH;
  }

  /** The epoch, unless it is due to be re-read (no Redis, and read more than CACHE_TTL_SECONDS ago). */
  private epochIfFresh(): string | undefined {
    if (!this.broadcast.live && Date.now() - this.epochReadAt > this.config.cache.ttlSeconds * 1000) return undefined;
    return this.epoch ?? NO_EPOCH;
  }

  private async refreshEpoch(): Promise<void> {
    try {
      const latest = await this.options.latestRunId();
      this.epochReadAt = Date.now();
      if (latest) this.advance(latest);
    } catch (error) {
      this.logger.warn(`Could not read the latest ${this.options.name} run (${(error as Error).message})`);
    }
  }

  /** Run ids are time-ordered (uuid v7): only a later run moves the epoch. */
  private advance(runId: string): void {
    if (this.epoch !== null && runId <= this.epoch) return;
    this.epoch = runId;
  }
}
