import Redis from 'ioredis';
import { consentingUsers, ingestAll } from '../support/learning';
import { endedRunStatus } from '../support/runs';
import { useSuiteDatabase } from '../support/suite';
import { channelVisit, ExtraMinerModule } from '../support/extra-miner.module';
import { withTestApps, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const REDIS_URL = process.env.REDIS_URL;

describe('Patterns: two-tier read cache across instances (e2e)', () => {
  const suite = useSuiteDatabase();

  const admin = (t: TestApp) => `Bearer ${t.token('admin-cache', ['admin'])}`;
  const service = (t: TestApp) => `Bearer ${t.token('svc-cache', ['service'])}`;

  /** Visits on `channel` in `module` by k new consenting users, mined through `t`: the module's new pattern. */
  async function publish(t: TestApp, module: string, channel: string): Promise<void> {
    const users = await consentingUsers(t, 3);
    const events = users.map((u) => channelVisit(u, module, channel));
    await ingestAll(t, events);
    const res = await t.http.post('/api/v1/patterns/mine').set('authorization', admin(t));
    expect(res.status).toBe(202);
    expect(await endedRunStatus(suite.pg, 'mining_runs', res.body.runId)).toBe('succeeded');
  }

  const channels = async (t: TestApp, module: string) =>
    (
      (await t.http.get(`/api/v1/patterns?type=extra&module=${module}`).set('authorization', service(t))).body
        .items as { signature: string }[]
    )
      .map((p) => p.signature)
      .sort();
  /** The channels `t` lists for `module` once it lists both, or after `timeoutMs`. */
  const bothChannels = (t: TestApp, module: string, timeoutMs: number) =>
    waitFor(
      () => channels(t, module),
      (c) => c.length === 2,
      timeoutMs,
    );

  const env = (extra: Record<string, string>) => ({ MIN_USER_SUPPORT: '3', ...extra });

  it('serves reads from the cache until the next run, then the new run’s answers (one instance, memory tier)', async () => {
    await withTestApps(
      [
        {
          databaseUrl: suite.db.url,
          env: env({ CACHE_TTL_SECONDS: '3600' }),
          imports: [ExtraMinerModule],
        },
      ],
      async ([one]) => {
        await publish(one, 'cache-1', 'web');
        expect(await channels(one, 'cache-1')).toEqual(['web']);
        // A change behind the service's back is not seen: the answer comes from the cache.
        await suite.pg.query(`UPDATE global_patterns SET signature = 'tampered' WHERE module = 'cache-1'`);
        expect(await channels(one, 'cache-1')).toEqual(['web']);
        await publish(one, 'cache-1', 'app');
        expect(await channels(one, 'cache-1')).toEqual(['app', 'web']);
      },
    );
  });

  it('lets other instances see a new run within CACHE_TTL_SECONDS without Redis', async () => {
    const options = {
      databaseUrl: suite.db.url,
      env: env({ CACHE_TTL_SECONDS: '1' }),
      imports: [ExtraMinerModule],
    };
    await withTestApps([options, options], async ([one, two]) => {
      await publish(one, 'cache-2', 'web');
      expect(await channels(two, 'cache-2')).toEqual(['web']);
      await publish(one, 'cache-2', 'app');
      expect(await bothChannels(two, 'cache-2', 3_000)).toEqual(['app', 'web']);
    });
  });

  (REDIS_URL ? it : it.skip)('shares entries through Redis and moves every instance to a new run at once', async () => {
    const options = {
      databaseUrl: suite.db.url,
      env: env({ REDIS_URL: REDIS_URL as string, CACHE_TTL_SECONDS: '3600' }),
      imports: [ExtraMinerModule],
    };
    const redis = new Redis(REDIS_URL as string);
    try {
      await withTestApps([options, options], async ([one, two]) => {
        await publish(one, 'cache-3', 'web');
        expect(await channels(one, 'cache-3')).toEqual(['web']);
        const keys = await waitFor(
          () => redis.keys('ail:patterns:*'),
          (k) => k.some((key) => key.includes('cache-3')),
          2_000,
        );
        expect(keys.some((k) => k.includes('cache-3'))).toBe(true);
        // The second instance's memory is empty: once the run's announcement has reached it (pub/sub, well under
        // 500 ms here), its first read is the entry the first instance stored in Redis.
        await new Promise((r) => setTimeout(r, 500));
        await suite.pg.query(`UPDATE global_patterns SET signature = 'tampered' WHERE module = 'cache-3'`);
        expect(await channels(two, 'cache-3')).toEqual(['web']);
        await suite.pg.query(`UPDATE global_patterns SET signature = 'web' WHERE module = 'cache-3'`);

        await publish(one, 'cache-3', 'app');
        expect(await bothChannels(two, 'cache-3', 1_000)).toEqual(['app', 'web']);
      });
    } finally {
      redis.disconnect();
    }
  });

  it('reads patterns from the replica when one is configured', async () => {
    const options = {
      databaseUrl: suite.db.url,
      env: env({ DATABASE_URL_REPLICA: suite.db.url }),
      imports: [ExtraMinerModule],
    };
    await withTestApps([options], async ([one]) => {
      await publish(one, 'cache-4', 'tv');
      expect(await channels(one, 'cache-4')).toEqual(['tv']);
      const predict = await one.http
        .post('/api/v1/patterns/predict')
        .set('authorization', service(one))
        .send({ module: 'cache-4', recentActions: ['visit'] });
      expect(predict.status).toBe(200);
    });
  });
});
