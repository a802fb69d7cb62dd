import type { Cache } from '@nestjs/cache-manager';
import { TtlLruCache } from '../common/cache/ttl-lru-cache';
import type { AppConfig } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import type { CacheStores } from './cache-stores';
import { EpochCache, EpochCacheContext } from './epoch-cache';

const RUN = '019aee00-0000-7000-8000-000000000001';
const KEY = `ail:test:${RUN}:page`;

class TestCache extends EpochCache {
  constructor(cache: Cache, stores: CacheStores) {
    super(
      new EpochCacheContext(
        cache,
        stores,
        null,
        { cache: { ttlSeconds: 60, memoryMaxEntries: 100 } } as AppConfig,
        new MetricsService(),
      ),
      { name: 'test', latestRunId: () => Promise.resolve(RUN) },
    );
  }
}

describe('EpochCache', () => {
  let redis: Map<string, unknown>;
  let sut: TestCache;
  let loads: number;
  const load = () => Promise.resolve(`loaded ${++loads}`);

  beforeEach(async () => {
    jest.useFakeTimers({ now: new Date('2026-12-06T00:00:00Z') });
    redis = new Map();
    loads = 0;
    const cache = {
      get: (key: string) => Promise.resolve(redis.get(key)),
      set: (key: string, value: unknown) => Promise.resolve(redis.set(key, value)),
    } as unknown as Cache;
    // Built after the clock is faked, so the memory tier's clock is the fake one too.
    sut = new TestCache(cache, {
      memory: new TtlLruCache(100, 60_000),
      shared: true,
      list: [],
    } as unknown as CacheStores);
    await sut.onApplicationBootstrap();
  });

  afterEach(() => jest.useRealTimers());

  it('keeps a Redis hit in memory only as long as it has left in Redis', async () => {
    redis.set(KEY, { value: 'from another instance', expiresAt: Date.now() + 1_000 });
    expect(await sut.read('page', load)).toBe('from another instance');
    redis.delete(KEY);
    jest.advanceTimersByTime(999);
    expect(await sut.read('page', load)).toBe('from another instance');
    jest.advanceTimersByTime(2);
    expect(await sut.read('page', load)).toBe('loaded 1');
  });

  it('stores what it loads in both tiers, with its expiry for the other instances', async () => {
    expect(await sut.read('page', load)).toBe('loaded 1');
    expect(redis.get(KEY)).toEqual({ value: 'loaded 1', expiresAt: Date.now() + 60_000 });
    expect(await sut.read('page', load)).toBe('loaded 1');
    expect(loads).toBe(1);
  });

  it('treats an expired or unknown Redis entry as a miss', async () => {
    redis.set(KEY, { value: 'stale', expiresAt: Date.now() });
    expect(await sut.read('page', load)).toBe('loaded 1');
    const other = new TestCache(
      {
        get: () => Promise.resolve('a bare value of an older version'),
        set: () => Promise.resolve(),
      } as unknown as Cache,
      { memory: new TtlLruCache(100, 60_000), shared: true, list: [] } as unknown as CacheStores,
    );
    await other.onApplicationBootstrap();
    expect(await other.read('page', load)).toBe('loaded 2');
  });
});
