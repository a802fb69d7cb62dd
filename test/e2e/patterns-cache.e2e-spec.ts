import Redis from 'ioredis';
import { newUserId } from '../support/ids';
import { setConsent } from '../support/learning';
import { useSuiteDatabase } from '../support/suite';
import { ExtraMinerModule } from '../support/extra-miner.module';
import { withTestApps, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const REDIS_URL = process.env.REDIS_URL;

describe('Patterns: two-tier read cache across instances (e2e)', () => {
  const suite = useSuiteDatabase();

  const admin = (t: TestApp) => `Bearer ${t.token('admin-cache', ['admin'])}`;
  const service = (t: TestApp) => `Bearer ${t.token('svc-cache', ['service'])}`;

  async function visits(t: TestApp, module: string, channel: string, users = 3): Promise<void> {
    const ids = Array.from({ length: users }, () => newUserId());
    for (const u of ids) await setConsent(t, u);
    const res = await t.http
      .post('/api/v1/learning/events/batch')
      .set('authorization', service(t))
      .send({
        events: ids.map((u) => ({
          userId: u,
          eventType: 'interaction',
          context: { module, action: 'visit', channel },
          data: {},
        })),
      });
    expect(res.body.accepted).toBe(users);
  }

  async function mine(t: TestApp): Promise<void> {
    const res = await t.http.post('/api/v1/patterns/mine').set('authorization', admin(t));
    expect(res.status).toBe(202);
    const run = await waitFor(
      async () =>
        (await suite.pg.query<{ status: string }>('SELECT status FROM mining_runs WHERE id = $1', [res.body.runId]))
          .rows[0]?.status,
      (status) => status !== undefined && status !== 'running',
      20_000,
    );
    expect(run).toBe('succeeded');
  }

  const channels = async (t: TestApp, module: string) =>
    (
      (await t.http.get(`/api/v1/patterns?type=extra&module=${module}`).set('authorization', service(t))).body
        .items as { signature: string }[]
    )
      .map((p) => p.signature)
      .sort();

  const env = (extra: Record<string, string>) => ({ MIN_USER_SUPPORT: '3', PATTERNS_CRON: 'off', ...extra });

  it('serves reads from the cache until the next run, then the new run’s answers (one instance, memory tier)', async () => {
    await withTestApps(
      [
        {
          databaseUrl: suite.db.url,
          env: env({ REDIS_URL: '', CACHE_TTL_SECONDS: '3600' }),
          imports: [ExtraMinerModule],
        },
      ],
      async ([one]) => {
        await visits(one, 'cache-1', 'web');
        await mine(one);
        expect(await channels(one, 'cache-1')).toEqual(['web']);
        // A change behind the service's back is not seen: the answer comes from the cache.
        await suite.pg.query(`UPDATE global_patterns SET signature = 'tampered' WHERE module = 'cache-1'`);
        expect(await channels(one, 'cache-1')).toEqual(['web']);
        await visits(one, 'cache-1', 'app');
        await mine(one);
        expect(await channels(one, 'cache-1')).toEqual(['app', 'web']);
      },
    );
  });

  it('lets other instances see a new run within CACHE_TTL_SECONDS without Redis', async () => {
    const options = {
      databaseUrl: suite.db.url,
      env: env({ REDIS_URL: '', CACHE_TTL_SECONDS: '1' }),
      imports: [ExtraMinerModule],
    };
    await withTestApps([options, options], async ([one, two]) => {
      await visits(one, 'cache-2', 'web');
      await mine(one);
      expect(await channels(two, 'cache-2')).toEqual(['web']);
      await visits(one, 'cache-2', 'app');
      await mine(one);
      const seen = await waitFor(
        () => channels(two, 'cache-2'),
        (c) => c.length === 2,
        3_000,
      );
      expect(seen).toEqual(['app', 'web']);
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
        await visits(one, 'cache-3', 'web');
        await mine(one);
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

        await visits(one, 'cache-3', 'app');
        await mine(one);
        const seen = await waitFor(
          () => channels(two, 'cache-3'),
          (c) => c.length === 2,
          1_000,
        );
        expect(seen).toEqual(['app', 'web']);
      });
    } finally {
      redis.disconnect();
    }
  });

  it('reads patterns from the replica when one is configured', async () => {
    const options = {
      databaseUrl: suite.db.url,
      env: env({ REDIS_URL: '', DATABASE_URL_REPLICA: suite.db.url }),
      imports: [ExtraMinerModule],
    };
    await withTestApps([options], async ([one]) => {
      await visits(one, 'cache-4', 'tv');
      await mine(one);
      expect(await channels(one, 'cache-4')).toEqual(['tv']);
      const predict = await one.http
        .post('/api/v1/patterns/predict')
        .set('authorization', service(one))
        .send({ module: 'cache-4', recentActions: ['visit'] });
      expect(predict.status).toBe(200);
    });
  });
});
