import { adminQuery, createSuiteDatabase } from '../setup/test-database';
import { newUserId } from '../support/ids';
import { ProbeController } from '../support/probe.controller';
import { createTestApp, type TestApp } from '../support/test-app';

/** The heap limit createTestApp gives every app under test (the heap is the test runner's). */
const TEST_APP_HEAP_LIMIT_MB = 65536;

/** Boots a second app with its own database for one test, and tears both down afterwards. */
async function withOwnApp(env: Record<string, string>, test: (app: TestApp) => Promise<void>): Promise<void> {
  const db = await createSuiteDatabase();
  const app = await createTestApp({ databaseUrl: db.url, env, controllers: [ProbeController] });
  try {
    await test(app);
  } finally {
    await app.close();
    await db.drop();
  }
}

describe('Health probes (e2e)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;

  beforeAll(async () => {
    db = await createSuiteDatabase();
    // With REDIS_URL set (as in CI) the app checks Redis too; without, it reports Redis as not configured.
    const redis: Record<string, string> = process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {};
    t = await createTestApp({ databaseUrl: db.url, env: { DATABASE_POOL_MAX: '2', ...redis } });
  });
  afterAll(async () => {
    await adminQuery(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await t?.close();
    await db?.drop();
  });

  it('answers liveness without a token and outside the API prefix', async () => {
    const res = await t.http.get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
    expect((await t.http.get('/api/v1/health/live')).status).toBe(404);
  });

  it('is ready when the database answers and heap and disk are within limits', async () => {
    const res = await t.http.get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.details).sort()).toEqual(['database', 'disk', 'heap']);
  });

  it('reports details: status, timestamp, database, redis, system, uptime', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'healthy',
      timestamp: expect.any(String),
      uptimeSeconds: expect.any(Number),
      database: { status: 'up', latencyMs: expect.any(Number) },
      redis: { status: process.env.REDIS_URL ? 'up' : 'not_configured' },
      system: { node: process.version, cpus: expect.any(Number), memory: { rssBytes: expect.any(Number) } },
    });
  });

  it('turns not ready (503 problem+json) when the heap limit is exceeded', () =>
    withOwnApp({ HEALTH_HEAP_LIMIT_MB: '16' }, async (small) => {
      const res = await small.http.get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        code: 'HEALTH.NOT_READY',
        retryable: true,
        checks: { heap: { status: 'down' }, database: { status: 'up' } },
      });
    }));

  it('stays ready but reports degraded when the configured Redis does not answer (it serves from memory)', () =>
    withOwnApp({ REDIS_URL: 'redis://127.0.0.1:1' }, async (noRedis) => {
      const ready = await noRedis.http.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(Object.keys(ready.body.details).sort()).toEqual(['database', 'disk', 'heap']);
      const health = await noRedis.http.get('/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'degraded', redis: { status: 'down' }, database: { status: 'up' } });
      expect(health.body.reasons).toEqual([expect.stringMatching(/^Redis does not answer/)]);
    }));

  it('turns not ready and unhealthy while the database refuses connections, and recovers', async () => {
    await adminQuery(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [db.name]);
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ code: 'HEALTH.NOT_READY', checks: { database: { status: 'down' } } });
    const details = await t.http.get('/health');
    expect(details.status).toBe(503);
    expect(details.body).toMatchObject({
      code: 'HEALTH.UNHEALTHY',
      health: { status: 'unhealthy', database: { status: 'down' } },
    });
    expect(JSON.stringify(details.body)).not.toMatch(/postgres(ql)?:\/\//);
    expect((await t.http.get('/health/live')).status).toBe(200);
    const api = await t.http.get('/api/v1/audit').set('authorization', `Bearer ${t.token(newUserId(), ['admin'])}`);
    expect(api.status).toBe(503);
    expect(api.headers['retry-after']).toBe('1');
    expect(api.body).toMatchObject({ code: 'DATABASE.UNAVAILABLE', retryable: true });
    expect(api.text).not.toMatch(/postgres(ql)?:\/\/|does not allow connections/);

    await adminQuery(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await t.http.get('/health/ready')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });

  it("reports the performance monitor's figures over its sliding window", () =>
    withOwnApp({ DATABASE_POOL_MAX: '2' }, async (app) => {
      const admin = `Bearer ${app.token(newUserId(), ['admin'])}`;
      for (let i = 0; i < 5; i++)
        expect((await app.http.get('/api/v1/audit').set('authorization', admin)).status).toBe(200);
      const res = await app.http.get('/health');
      expect(res.body.performance).toMatchObject({
        windowSeconds: expect.any(Number),
        throughputPerSecond: expect.any(Number),
        responseTimeMs: { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) },
        eventLoopLagMs: { p99: expect.any(Number), max: expect.any(Number) },
        cpuPercent: expect.any(Number),
        memory: { heapUsedBytes: expect.any(Number), heapLimitBytes: TEST_APP_HEAP_LIMIT_MB * 1024 * 1024 },
        database: { pool: { max: 2, waiting: 0 }, saturatedShare: 0 },
        cache: { lookups: expect.any(Number) },
        activeConnections: expect.any(Number),
        queueLength: 0,
      });
      expect(res.body.performance.requests).toBe(5);
      expect(res.body.performance.database.queries).toBeGreaterThanOrEqual(5);
      expect(res.body.performance.errorRate).toBe(0);
    }));

  it('is unhealthy (503) when the share of 5xx answers passes 5 times MONITOR_ERROR_RATE, with the reason', () =>
    withOwnApp({ MONITOR_ERROR_RATE: '0.1', MONITOR_EVENT_LOOP_LAG_MS: '10000' }, async (app) => {
      for (let i = 0; i < 20; i++) expect((await app.http.get('/api/v1/test-probe/boom')).status).toBe(500);
      const res = await app.http.get('/health');
      expect(res.status).toBe(503);
      expect(res.body.health).toMatchObject({ status: 'unhealthy', performance: { requests: 20, errorRate: 1 } });
      expect(res.body.health.reasons).toEqual(['error rate 100 % is above 50 %']);
    }));

  it('is degraded (200) when p95 response time passes MONITOR_P95_MS, and judges nothing below 20 requests', () =>
    withOwnApp({ MONITOR_P95_MS: '10', MONITOR_EVENT_LOOP_LAG_MS: '10000' }, async (app) => {
      for (let i = 0; i < 19; i++)
        expect((await app.http.get('/api/v1/test-probe/slow').query({ ms: 30 })).status).toBe(200);
      const young = await app.http.get('/health');
      expect(young.body).toMatchObject({ status: 'healthy', reasons: [], performance: { requests: 19 } });
      expect(young.body.performance.responseTimeMs.p95).toBeGreaterThan(25);
      const res = await app.http.get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'degraded', performance: { requests: 20 } });
      expect(res.body.reasons).toEqual([expect.stringMatching(/^p95 response time \d+(\.\d)? ms is above 10 ms$/)]);
    }));
});
