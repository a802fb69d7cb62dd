import { createHmac } from 'node:crypto';
import { ApiClientsService } from '../../src/modules/auth/api-clients.service';
import { createSuiteDatabase } from '../setup/test-database';
import { newUserId } from '../support/ids';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app';

function b64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function handMadeToken(header: object, claims: object, secret = TEST_JWT_SECRET): string {
  const unsigned = `${b64url(header)}.${b64url(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

describe('Authentication and authorization (e2e)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;

  beforeAll(async () => {
    db = await createSuiteDatabase();
    t = await createTestApp({ databaseUrl: db.url, env: { AUTH_MAX_FAILED_ATTEMPTS: '5' } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const audit = (token: string) => t.http.get('/api/v1/audit').set('authorization', `Bearer ${token}`);

  it.each([
    ['no token', undefined, /bearer token is required/],
    ['a garbage token', 'Bearer not.a.jwt', /invalid/],
    ['a non-bearer scheme', 'Basic dXNlcjpwdw==', /bearer token is required/],
  ])('answers 401 problem+json to %s', async (_, header, detail) => {
    const req = t.http.get('/api/v1/audit');
    const res = await (header ? req.set('authorization', header) : req);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'AUTH.UNAUTHENTICATED', title: 'Unauthorized' });
    expect(res.body.detail).toMatch(detail);
  });

  it('rejects a token signed with another secret', async () => {
    const forged = handMadeToken(
      { alg: 'HS256', typ: 'JWT' },
      { sub: newUserId(), roles: ['admin'], exp: inAnHour() },
      'x'.repeat(48),
    );
    expect((await audit(forged)).status).toBe(401);
  });

  it('rejects an alg:none token', async () => {
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: newUserId(), roles: ['admin'], exp: inAnHour() })}.`;
    const res = await audit(none);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH.UNAUTHENTICATED');
  });

  it('rejects an HS512 token made with the right secret (only HS256 is accepted)', async () => {
    const header = { alg: 'HS512', typ: 'JWT' };
    const unsigned = `${b64url(header)}.${b64url({ sub: newUserId(), roles: ['admin'], exp: inAnHour() })}`;
    const token = `${unsigned}.${createHmac('sha512', TEST_JWT_SECRET).update(unsigned).digest('base64url')}`;
    expect((await audit(token)).status).toBe(401);
  });

  it('rejects an expired token and says so', async () => {
    const expired = handMadeToken(
      { alg: 'HS256', typ: 'JWT' },
      { sub: newUserId(), roles: ['admin'], exp: Math.floor(Date.now() / 1000) - 60 },
    );
    const res = await audit(expired);
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/expired/);
  });

  it('rejects a token without exp', async () => {
    const noExp = handMadeToken({ alg: 'HS256', typ: 'JWT' }, { sub: newUserId(), roles: ['admin'] });
    const res = await audit(noExp);
    expect(res.status).toBe(401);
    expect(res.body.detail).toMatch(/exp/);
  });

  it('rejects unknown roles and a user token whose subject is not a uuid', async () => {
    expect(
      (await audit(handMadeToken({ alg: 'HS256' }, { sub: newUserId(), roles: ['root'], exp: inAnHour() }))).status,
    ).toBe(401);
    expect(
      (await audit(handMadeToken({ alg: 'HS256' }, { sub: 'alice', roles: ['user'], exp: inAnHour() }))).status,
    ).toBe(401);
  });

  it('answers 403 problem+json to a user token on an admin route, and 200 to an admin', async () => {
    const user = await audit(t.token(newUserId(), ['user']));
    expect(user.status).toBe(403);
    expect(user.body).toMatchObject({ status: 403, code: 'AUTH.FORBIDDEN' });
    expect((await audit(t.token(newUserId(), ['service']))).status).toBe(403);
    expect((await audit(t.token(newUserId(), ['admin']))).status).toBe(200);
  });

  describe('POST /api/v1/auth/token', () => {
    it('exchanges client credentials for a working token, and audits the client creation', async () => {
      const client = await t.app.get(ApiClientsService).create('ingest-service', ['service', 'admin'], 'e2e');
      const res = await t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: client.secret });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
      const claims = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString());
      expect(claims).toMatchObject({ sub: client.id, roles: ['service', 'admin'] });
      expect(claims.exp - claims.iat).toBe(900);

      const log = await audit(res.body.accessToken).query({ action: 'auth.client.created' });
      expect(log.status).toBe(200);
      expect(log.body.items).toEqual([
        expect.objectContaining({ action: 'auth.client.created', target: client.id, outcome: 'success' }),
      ]);
      expect(JSON.stringify(log.body)).not.toContain(client.secret);
    });

    it('refuses a wrong secret and an unknown client alike with 401 AUTH.INVALID_CLIENT', async () => {
      const client = await t.app.get(ApiClientsService).create('wrong-secret-client', ['service']);
      const wrong = await t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: 'nope' });
      const unknown = await t.http.post('/api/v1/auth/token').send({ clientId: newUserId(), clientSecret: 'nope' });
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('AUTH.INVALID_CLIENT');
      }
    });

    it('refuses a revoked client', async () => {
      const clients = t.app.get(ApiClientsService);
      const client = await clients.create('revoked-client', ['service']);
      await clients.revoke(client.id);
      const res = await t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: client.secret });
      expect(res.status).toBe(401);
    });

    it('locks out an address and client after 5 failures with 429 and Retry-After, even for the right secret, and audits each failure', async () => {
      const client = await t.app.get(ApiClientsService).create('brute-forced-client', ['service']);
      for (let i = 0; i < 5; i++) {
        expect(
          (await t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: `guess-${i}` })).status,
        ).toBe(401);
      }
      const locked = await t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: client.secret });
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('AUTH.TOO_MANY_ATTEMPTS');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(900);

      const other = await t.app.get(ApiClientsService).create('unrelated-client', ['service']);
      expect(
        (await t.http.post('/api/v1/auth/token').send({ clientId: other.id, clientSecret: other.secret })).status,
      ).toBe(200);

      const admin = t.token(newUserId(), ['admin']);
      const failures = await audit(admin).query({ action: 'auth.token.failed', actor: client.id });
      expect(failures.body.items).toHaveLength(5);
      expect(failures.body.items[0]).toMatchObject({
        outcome: 'failure',
        actorType: 'client',
        details: { reason: 'wrong_secret', failures: 5 },
      });
      expect(JSON.stringify(failures.body)).not.toMatch(/guess-/);
      const lockouts = await audit(admin).query({ action: 'auth.token.locked_out', actor: client.id });
      expect(lockouts.body.items).toHaveLength(1);
    });

    it('validates the body', async () => {
      const res = await t.http.post('/api/v1/auth/token').send({ clientId: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'clientSecret', message: expect.stringMatching(/clientSecret/) }]);
    });
  });
});
