import { createSuiteDatabase } from '../setup/test-database';
import { createTestApp, type TestApp } from '../support/test-app';

describe('GET /metrics (e2e)', () => {
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  let t: TestApp;
  const token = 'metrics-token-for-e2e-tests';

  beforeAll(async () => {
    db = await createSuiteDatabase();
    t = await createTestApp({ databaseUrl: db.url, env: { METRICS_TOKEN: token } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('needs METRICS_TOKEN when it is set', async () => {
    const none = await t.http.get('/metrics');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('METRICS.TOKEN_REQUIRED');
    expect((await t.http.get('/metrics').set('authorization', 'Bearer metrics-token-for-e2e-testX')).status).toBe(401);
    expect((await t.http.get('/metrics').set('authorization', `Bearer ${t.token('ops', ['admin'])}`)).status).toBe(401);
  });

  it('answers the Prometheus text format with the token, outside the API prefix', async () => {
    const res = await t.http.get('/metrics').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^# TYPE process_cpu_user_seconds_total counter$/m);
    expect(res.text).toMatch(/^# TYPE learning_events_total counter$/m);
    expect(res.text).toMatch(/^consent_rate 0$/m);
    expect((await t.http.get('/api/v1/metrics').set('authorization', `Bearer ${token}`)).status).toBe(404);
  });
});
