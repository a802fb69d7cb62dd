import { newUserId } from '../support/ids';
import { interaction } from '../support/learning';
import { buildService, ServiceProcess, serviceToken } from '../support/service-process';
import { useSuiteDatabase } from '../support/suite';
import { waitFor } from '../support/wait';

const REDIS_URL = process.env.REDIS_URL;
const THROTTLE_LIMIT = 20;

/**
 * The scale-out model, proven with two processes of the built service (`node dist/src/main.js`, production mode)
 * sharing one PostgreSQL database and one Redis.
 */
(REDIS_URL ? describe : describe.skip)('Two instances of the built service (e2e)', () => {
  const suite = useSuiteDatabase();
  const instances: ServiceProcess[] = [];
  let a: ServiceProcess;
  let b: ServiceProcess;
  const service = serviceToken('svc-instances', ['service']);

  beforeAll(async () => {
    buildService();
    const env = {
      DATABASE_URL: suite.db.url,
      REDIS_URL: REDIS_URL!,
      // Runs every second on both instances; long cache lifetimes, so only invalidation can refresh what they cached.
      PATTERNS_CRON: '* * * * * *',
      RETENTION_CRON: 'off',
      MIN_USER_SUPPORT: '2',
      CACHE_TTL_SECONDS: '3600',
      CONSENT_CACHE_TTL_SECONDS: '3600',
      THROTTLE_LIMIT: String(THROTTLE_LIMIT),
      THROTTLE_TTL_SECONDS: '60',
    };
    for (let i = 0; i < 2; i++) instances.push(new ServiceProcess(env));
    await Promise.all(instances.map((i) => i.start()));
    [a, b] = instances;
  }, 120_000);

  afterAll(async () => {
    const codes = await Promise.all(instances.map((i) => i.stop()));
    expect(codes).toEqual(instances.map(() => 0));
  }, 40_000);

  const consent = (on: ServiceProcess, user: string, allow: boolean) =>
    on.request('PUT', `/api/v1/consent/${user}`, {
      token: service,
      body: { allowCollectiveLearning: allow, policyVersion: '2026-11' },
    });

  it('are two processes', async () => {
    const [one, two] = await Promise.all([a.request('GET', '/health'), b.request('GET', '/health')]);
    expect(one.body.system.pid).not.toBe(two.body.system.pid);
  });

  it('run each scheduled mining tick once: one instance claims it, the other skips it', async () => {
    const ticks = await waitFor(
      async () =>
        Number(
          (await suite.pg.query(`SELECT count(*) AS n FROM scheduled_slots WHERE job = 'patterns-mining'`)).rows[0].n,
        ),
      (n) => n >= 4,
      15_000,
    );
    expect(ticks).toBeGreaterThanOrEqual(4);
    const skipped = async (on: ServiceProcess) =>
      Number(
        /^mining_runs_total\{trigger="schedule",status="skipped"\} (\d+)$/m.exec(
          (await on.request('GET', '/metrics')).body,
        )?.[1] ?? 0,
      );
    // Both instances tick every second: every claimed tick was skipped by the other one.
    expect((await skipped(a)) + (await skipped(b))).toBeGreaterThanOrEqual(3);
    const runs = (
      await suite.pg.query<{ runs: string; seconds: string }>(
        `SELECT count(*) AS runs, count(DISTINCT date_trunc('second', started_at)) AS seconds FROM mining_runs WHERE trigger = 'schedule'`,
      )
    ).rows[0];
    expect(Number(runs.runs)).toBeGreaterThanOrEqual(3);
    expect(runs.seconds).toBe(runs.runs); // never two runs of one tick
    const claimers = (await suite.pg.query(`SELECT DISTINCT claimed_by FROM scheduled_slots`)).rows;
    expect(claimers.length).toBeGreaterThanOrEqual(1);
  });

  it('share rate limits through Redis', async () => {
    const user = newUserId();
    const token = serviceToken(user, ['user']);
    const statuses: number[] = [];
    for (let i = 0; i < THROTTLE_LIMIT; i++)
      statuses.push((await (i % 2 === 0 ? a : b).request('GET', '/api/v1/consent/me', { token })).status);
    expect(statuses).toEqual(statuses.map(() => 200));
    const over = [
      await a.request('GET', '/api/v1/consent/me', { token }),
      await b.request('GET', '/api/v1/consent/me', { token }),
    ];
    expect(over.map((r) => r.status)).toEqual([429, 429]);
    expect(Number(over[0].headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('enforce a consent withdrawal made on one instance on the other within 1 s', async () => {
    const user = newUserId();
    const token = serviceToken(user, ['user']);
    expect((await consent(a, user, true)).status).toBe(200);
    // b caches the consent (for an hour) by using it.
    expect((await b.request('POST', '/api/v1/learning/events', { token, body: interaction(undefined) })).status).toBe(
      201,
    );
    expect((await b.request('GET', '/api/v1/consent/me', { token })).body.allowCollectiveLearning).toBe(true);
    expect((await consent(a, user, false)).status).toBe(200);
    const withdrawnAt = Date.now();
    const seen = await waitFor(
      async () => (await b.request('GET', '/api/v1/consent/me', { token })).body.allowCollectiveLearning,
      (allow) => allow === false,
      1000,
      10,
    );
    expect(seen).toBe(false);
    expect(Date.now() - withdrawnAt).toBeLessThan(1000);
    const refused = await b.request('POST', '/api/v1/learning/events', { token, body: interaction(undefined) });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('CONSENT.REQUIRED');
  });

  it('invalidate both instances’ pattern caches when a run on either finishes', async () => {
    const query = '/api/v1/patterns?type=sequence&module=instances';
    const reader = serviceToken(newUserId(), ['user']);
    for (const on of [a, b]) expect((await on.request('GET', query, { token: reader })).body.items).toEqual([]); // cached for an hour
    for (const user of [newUserId(), newUserId()]) {
      expect((await consent(a, user, true)).status).toBe(200);
      const t0 = Date.now() - 60_000;
      const events = ['open', 'edit', 'save'].map((action, i) =>
        interaction(user, {
          context: { module: 'instances', action, sessionId: 'i-1' },
          timestamp: new Date(t0 + i * 1000).toISOString(),
        }),
      );
      const res = await b.request('POST', '/api/v1/learning/events/batch', { token: service, body: { events } });
      expect(res.body).toMatchObject({ accepted: 3 });
    }
    // The next scheduled run (on whichever instance claims it) publishes the sequences and invalidates both caches.
    for (const on of [a, b]) {
      const items = await waitFor(
        async () => (await on.request('GET', query, { token: reader })).body.items as { signature: string }[],
        (list) => list.length > 0,
        10_000,
        100,
      );
      expect(items.map((p) => p.signature)).toEqual(
        expect.arrayContaining(['open>edit', 'edit>save', 'open>edit>save']),
      );
    }
  });
});
