import { createSuiteDatabase } from '../setup/test-database';
import { newUserId } from '../support/ids';
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

  it('exports RED metrics by method, route template and status class, never the URL or a user id', async () => {
    const user = newUserId();
    const auth = `Bearer ${t.token(user, ['user'])}`;
    expect((await t.http.get(`/api/v1/patterns/${newUserId()}`).set('authorization', auth)).status).toBe(404);
    expect((await t.http.get('/api/v1/consent/me').set('authorization', auth)).status).toBe(200);
    expect((await t.http.get('/no-such-path')).status).toBe(404);
    const text = (await t.http.get('/metrics').set('authorization', `Bearer ${token}`)).text;
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v1\/patterns\/:id",status_class="4xx"\} \d+$/m,
    );
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/api\/v1\/consent\/me",status_class="2xx"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status_class="4xx"\} [1-9]\d*$/m);
    expect(text).toMatch(/^db_query_duration_seconds_count\{pool="primary",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^db_pool_max_connections\{pool="primary"\} \d+$/m);
    expect(text).toMatch(/^db_pool_waiting_requests\{pool="primary"\} 0$/m);
    expect(text).toMatch(/^http_open_connections \d+$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toContain(user);
  });

  it('counts security events: unauthenticated, denied and throttled answers and failed logins', async () => {
    expect((await t.http.get('/api/v1/audit')).status).toBe(401);
    expect(
      (await t.http.get('/api/v1/audit').set('authorization', `Bearer ${t.token(newUserId(), ['user'])}`)).status,
    ).toBe(403);
    expect(
      (await t.http.post('/api/v1/auth/token').send({ clientId: 'nobody', clientSecret: 'x'.repeat(32) })).status,
    ).toBe(401);
    const text = (await t.http.get('/metrics').set('authorization', `Bearer ${token}`)).text;
    expect(text).toMatch(/^security_unauthenticated_requests_total\{route="\/api\/v1\/audit"\} 1$/m);
    expect(text).toMatch(/^security_permission_denials_total\{route="\/api\/v1\/audit"\} 1$/m);
    expect(text).toMatch(/^auth_login_failures_total\{reason="unknown_or_revoked_client"\} 1$/m);
    expect(text).toMatch(/^# TYPE security_throttled_requests_total counter$/m);
    expect(text).toMatch(/^# TYPE security_suspicious_activity_total counter$/m);
  });
});
