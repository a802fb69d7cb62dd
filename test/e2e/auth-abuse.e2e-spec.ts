import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { ApiClientsService, type CreatedClient } from '../../src/modules/auth/api-clients.service';
import { SecretHasher } from '../../src/modules/crypto/secret-hasher';
import { newUserId } from '../support/ids';
import { useSuiteDatabase } from '../support/suite';
import { withTestApps, type TestApp } from '../support/test-app';

const REDIS_URL = process.env.REDIS_URL;

function tokenRequest(t: TestApp, clientId: string, clientSecret: string, forwardedFor?: string) {
  const req = t.http.post('/api/v1/auth/token');
  return (forwardedFor ? req.set('x-forwarded-for', forwardedFor) : req).send({ clientId, clientSecret });
}

/** Secret verifications (scrypt) this instance has started, from its /metrics. */
async function verifications(t: TestApp): Promise<number> {
  const found = /^auth_secret_verifications_total (\d+)$/m.exec((await t.http.get('/metrics')).text);
  if (!found) throw new Error('/metrics has no auth_secret_verifications_total');
  return Number(found[1]);
}

function newClient(t: TestApp): Promise<CreatedClient> {
  return t.app.get(ApiClientsService).create(`abuse-${randomUUID()}`, ['service']);
}

async function auditOf(
  t: TestApp,
  action: string,
  actor: string,
): Promise<Array<{ ip: string | null; details: Record<string, unknown> }>> {
  const res = await t.http
    .get('/api/v1/audit')
    .query({ action, actor })
    .set('authorization', `Bearer ${t.token(newUserId(), ['admin'])}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

function expectLockedOut(res: Response): void {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe('AUTH.TOO_MANY_ATTEMPTS');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(900);
}

describe('Credential abuse: lockouts, client addresses and the verification cap (e2e)', () => {
  const suite = useSuiteDatabase();

  describe('lockout', () => {
    it('lets 5 of 30 parallel wrong secrets for one client reach verification and answers the other 25 with 429', async () => {
      await withTestApps([{ databaseUrl: suite.db.url, env: { AUTH_MAX_FAILED_ATTEMPTS: '5' } }], async ([t]) => {
        const client = await newClient(t);
        const before = await verifications(t);
        const answers = await Promise.all(
          Array.from({ length: 30 }, (_, i) => tokenRequest(t, client.id, `guess-${i}`)),
        );
        expect(answers.filter((r) => r.status === 401)).toHaveLength(5);
        const locked = answers.filter((r) => r.status === 429);
        expect(locked).toHaveLength(25);
        locked.forEach(expectLockedOut);
        expect((await verifications(t)) - before).toBe(5);
        expectLockedOut(await tokenRequest(t, client.id, client.secret));
      });
    });

    (REDIS_URL ? it : it.skip)(
      'holds across two instances sharing Redis: 5 of 30 parallel wrong secrets reach verification in all',
      async () => {
        const env = { AUTH_MAX_FAILED_ATTEMPTS: '5', REDIS_URL: REDIS_URL! };
        await withTestApps(
          [
            { databaseUrl: suite.db.url, env },
            { databaseUrl: suite.db.url, env },
          ],
          async ([a, b]) => {
            const client = await newClient(a);
            const before = (await verifications(a)) + (await verifications(b));
            const answers = await Promise.all(
              Array.from({ length: 30 }, (_, i) => tokenRequest(i % 2 ? a : b, client.id, `guess-${i}`)),
            );
            expect(answers.filter((r) => r.status === 401)).toHaveLength(5);
            answers.filter((r) => r.status !== 401).forEach(expectLockedOut);
            expect((await verifications(a)) + (await verifications(b)) - before).toBe(5);
            expectLockedOut(await tokenRequest(b, client.id, client.secret));
          },
        );
      },
    );

    it('counts every spelling of a client id (upper case, surrounding spaces) against the one client', async () => {
      await withTestApps([{ databaseUrl: suite.db.url, env: { AUTH_MAX_FAILED_ATTEMPTS: '3' } }], async ([t]) => {
        const client = await newClient(t);
        for (const spelling of [client.id.toUpperCase(), ` ${client.id} `, client.id.toUpperCase()]) {
          expect((await tokenRequest(t, spelling, 'wrong')).status).toBe(401);
        }
        expectLockedOut(await tokenRequest(t, client.id, client.secret));
        expectLockedOut(await tokenRequest(t, client.id.toUpperCase(), client.secret));
        const failures = await auditOf(t, 'auth.token.failed', client.id);
        expect(failures.map((f) => f.details.failures)).toEqual([3, 2, 1]);
      });
    });

    it('locks a client out from every address once AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT failures came from rotating addresses', async () => {
      const env = { TRUST_PROXY: '1', AUTH_MAX_FAILED_ATTEMPTS: '2', AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT: '4' };
      await withTestApps([{ databaseUrl: suite.db.url, env }], async ([t]) => {
        const client = await newClient(t);
        const statuses: number[] = [];
        for (let i = 1; i <= 6; i++)
          statuses.push((await tokenRequest(t, client.id, 'wrong', `203.0.113.${i}`)).status);
        expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
        expectLockedOut(await tokenRequest(t, client.id, client.secret, '203.0.113.99'));
      });
    });

    it('answers a client id that is no uuid 401 like an unknown client, without spending a verification', async () => {
      await withTestApps([{ databaseUrl: suite.db.url }], async ([t]) => {
        const verify = jest.spyOn(t.app.get(SecretHasher), 'verify');
        const res = await tokenRequest(t, 'not-a-client-id', 'whatever');
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('AUTH.INVALID_CLIENT');
        expect(verify).not.toHaveBeenCalled();
        const unknown = await tokenRequest(t, randomUUID(), 'whatever');
        expect(unknown.status).toBe(401);
        expect(unknown.body).toEqual({ ...res.body, requestId: unknown.body.requestId });
        expect(verify).toHaveBeenCalledTimes(1);
      });
    });
  });

  describe('client addresses', () => {
    it('without TRUST_PROXY ignores a forged X-Forwarded-For: same lockout and rate-limit bucket, the real address audited', async () => {
      const env = { AUTH_MAX_FAILED_ATTEMPTS: '3', AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT: '100', THROTTLE_LIMIT: '8' };
      await withTestApps([{ databaseUrl: suite.db.url, env }], async ([t]) => {
        const client = await newClient(t);
        for (let i = 1; i <= 3; i++)
          expect((await tokenRequest(t, client.id, 'wrong', `198.51.100.${i}`)).status).toBe(401);
        expectLockedOut(await tokenRequest(t, client.id, client.secret, '198.51.100.4'));
        const failures = await auditOf(t, 'auth.token.failed', client.id);
        expect(failures).toHaveLength(3);
        for (const f of failures) expect(f.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);

        // Requests 5 to 8 of this address, each "from" another one; the 9th is over THROTTLE_LIMIT.
        for (let i = 5; i <= 8; i++) expect((await tokenRequest(t, `x-${i}`, 'y', `198.51.100.${i}`)).status).toBe(401);
        const throttled = await tokenRequest(t, 'x-9', 'y', '198.51.100.9');
        expect(throttled.status).toBe(429);
        expect(throttled.body.code).toBe('RATE_LIMIT.EXCEEDED');
      });
    });

    it('with TRUST_PROXY=1 takes the last X-Forwarded-For hop, whatever a client put before it', async () => {
      const env = { TRUST_PROXY: '1', AUTH_MAX_FAILED_ATTEMPTS: '2', AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT: '100' };
      await withTestApps([{ databaseUrl: suite.db.url, env }], async ([t]) => {
        const client = await newClient(t);
        expect((await tokenRequest(t, client.id, 'wrong', '6.6.6.1, 203.0.113.7')).status).toBe(401);
        expect((await tokenRequest(t, client.id, 'wrong', '6.6.6.2, 203.0.113.7')).status).toBe(401);
        expectLockedOut(await tokenRequest(t, client.id, client.secret, '6.6.6.3, 203.0.113.7'));
        expect((await tokenRequest(t, client.id, client.secret, '203.0.113.8')).status).toBe(200);
        const failures = await auditOf(t, 'auth.token.failed', client.id);
        expect(failures.map((f) => f.ip)).toEqual(['203.0.113.7', '203.0.113.7']);
      });
    });

    it('with TRUST_PROXY as an address list skips only the listed proxies', async () => {
      await withTestApps([{ databaseUrl: suite.db.url, env: { TRUST_PROXY: 'loopback' } }], async ([t]) => {
        const clientId = newUserId();
        expect((await tokenRequest(t, clientId, 'wrong', '6.6.6.6, 203.0.113.9, 127.0.0.1')).status).toBe(401);
        expect((await auditOf(t, 'auth.token.failed', clientId)).map((f) => f.ip)).toEqual(['203.0.113.9']);
      });
    });
  });

  describe('verification cap', () => {
    it('answers 503 AUTH.BUSY with Retry-After beyond AUTH_VERIFY_CONCURRENCY + AUTH_VERIFY_QUEUE, and nothing else 5xx', async () => {
      await withTestApps(
        [{ databaseUrl: suite.db.url, env: { AUTH_VERIFY_CONCURRENCY: '1', AUTH_VERIFY_QUEUE: '1' } }],
        async ([t]) => {
          const before = await verifications(t);
          const answers = await Promise.all(Array.from({ length: 12 }, () => tokenRequest(t, newUserId(), 'wrong')));
          const statuses = answers.map((r) => r.status);
          expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
          const busy = answers.filter((r) => r.status === 503);
          expect(busy.length).toBeGreaterThan(0);
          for (const res of busy) {
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
            expect(res.body).toMatchObject({ code: 'AUTH.BUSY', retryable: true });
            expect(res.headers['retry-after']).toBe('1');
          }
          const verified = statuses.filter((s) => s === 401).length;
          expect(verified).toBeGreaterThanOrEqual(2);
          expect((await verifications(t)) - before).toBe(verified);

          const client = await newClient(t);
          expect((await tokenRequest(t, client.id, client.secret)).status).toBe(200);
        },
      );
    });
  });
});
