import { newUserId } from '../support/ids';
import { emptyRedisDatabase } from '../support/redis-modes';
import { useSuiteDatabase } from '../support/suite';
import { withTestApps, type TestApp } from '../support/test-app';

const REDIS_URL = process.env.REDIS_URL;

describe('Rate limits (e2e)', () => {
  const suite = useSuiteDatabase();

  it('limits each caller by token subject, answering 429 problem+json with Retry-After', async () => {
    const options = { databaseUrl: suite.db.url, env: { THROTTLE_LIMIT: '3', THROTTLE_TTL_SECONDS: '60' } };
    await withTestApps([options], async ([t]) => {
      const alice = t.token(newUserId(), ['admin']);
      const bob = t.token(newUserId(), ['admin']);
      const call = (token: string) => t.http.get('/api/v1/audit').set('authorization', `Bearer ${token}`);
      for (let i = 0; i < 3; i++) expect((await call(alice)).status).toBe(200);
      const limited = await call(alice);
      expect(limited.status).toBe(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.body.code).toBe('RATE_LIMIT.EXCEEDED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await call(bob)).status).toBe(200);
    });
  });

  it('limits anonymous callers by address and never limits health probes', async () => {
    await withTestApps([{ databaseUrl: suite.db.url, env: { THROTTLE_LIMIT: '2' } }], async ([t]) => {
      const statuses = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await t.http.post('/api/v1/auth/token').send({ clientId: 'x', clientSecret: 'y' })).status);
      expect(statuses).toEqual([401, 401, 429]);
      for (let i = 0; i < 5; i++) expect((await t.http.get('/health/live')).status).toBe(200);
    });
  });

  (REDIS_URL ? describe : describe.skip)('with Redis (REDIS_URL set)', () => {
    it('shares one limit between two instances through Redis', async () => {
      // A database of its own: the limit of 4 counts only this test's requests.
      const env = { THROTTLE_LIMIT: '4', REDIS_URL: await emptyRedisDatabase(REDIS_URL!, 14) };
      const options = { databaseUrl: suite.db.url, env };
      await withTestApps([options, options], async ([a, b]) => {
        const token = a.token(newUserId(), ['admin']);
        const call = (t: TestApp) =>
          t.http
            .get('/api/v1/audit')
            .set('authorization', `Bearer ${token}`)
            .then((r) => r.status);
        const statuses = [await call(a), await call(b), await call(a), await call(b), await call(a), await call(b)];
        expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      });
    });

    it('shares failed-credential lockouts between instances', async () => {
      const env = { REDIS_URL: REDIS_URL!, AUTH_MAX_FAILED_ATTEMPTS: '2' };
      const options = { databaseUrl: suite.db.url, env };
      await withTestApps([options, options], async ([a, b]) => {
        const clientId = newUserId();
        const attempt = (t: TestApp) =>
          t.http
            .post('/api/v1/auth/token')
            .send({ clientId, clientSecret: 'wrong' })
            .then((r) => r.status);
        expect([await attempt(a), await attempt(b), await attempt(a), await attempt(b)]).toEqual([401, 401, 429, 429]);
      });
    });
  });
});
