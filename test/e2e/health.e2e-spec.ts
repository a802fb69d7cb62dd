import { adminQuery, createSuiteDatabase } from '../setup/test-database';
import { newUserId } from '../support/ids';
import { createTestApp, type TestApp } from '../support/test-app';

/** Boots a second app with its own database for one test, and tears both down afterwards. */
async function withOwnApp(env: Record<string, string>, test: (app: TestApp) => Promise<void>): Promise<void> {
  const db = await createSuiteDatabase();
  const app = await createTestApp({ databaseUrl: db.url, env });
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
    expect(Object.keys(res.body.details).sort()).toEqual(['database', 'disk', 'heap', ...(process.env.REDIS_URL ? ['redis'] : [])].sort());
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
      expect(res.body).toMatchObject({ code: 'HEALTH.NOT_READY', retryable: true, checks: { heap: { status: 'down' }, database: { status: 'up' } } });
    }));

  it('turns not ready when the configured Redis does not answer', () =>
    withOwnApp({ REDIS_URL: 'redis://127.0.0.1:1' }, async (noRedis) => {
      const res = await noRedis.http.get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'HEALTH.NOT_READY', checks: { redis: { status: 'down' }, database: { status: 'up' } } });
      expect((await noRedis.http.get('/health')).body).toMatchObject({ health: { redis: { status: 'down' } } });
    }));

  it('turns not ready and unhealthy while the database refuses connections, and recovers', async () => {
    await adminQuery(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [db.name]);
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ code: 'HEALTH.NOT_READY', checks: { database: { status: 'down' } } });
    const details = await t.http.get('/health');
    expect(details.status).toBe(503);
    expect(details.body).toMatchObject({ code: 'HEALTH.UNHEALTHY', health: { status: 'unhealthy', database: { status: 'down' } } });
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
});
