import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { ApiClientsService } from '../../src/modules/auth/api-clients.service';
import { newUserId } from '../support/ids';
import { useSuiteDatabase } from '../support/suite';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const ISSUER = 'https://idp.test/';
const AUDIENCE = 'ai-learning';

/** A local OpenID Connect provider's key set: keys can be added and removed (rotation); fetches are counted. */
class LocalJwks {
  private server?: Server;
  keys: (JWK & { kid: string })[] = [];
  fetches = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

interface Signer {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  publicKey: KeyLike;
}

async function signer(kid: string, alg: Signer['alg']): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey };
}

async function publish(jwks: LocalJwks, s: Signer): Promise<void> {
  jwks.keys.push({ ...(await exportJWK(s.publicKey)), kid: s.kid, alg: s.alg, use: 'sig' });
}

describe('Identity from an OpenID Connect provider, and client revocation (e2e)', () => {
  const suite = useSuiteDatabase();
  const jwks = new LocalJwks();
  let app: TestApp;
  let rsa: Signer;
  let ec: Signer;

  const token = (
    s: Signer,
    claims: Record<string, unknown> = {},
    options: { exp?: string; iss?: string; aud?: string } = {},
  ) =>
    new SignJWT({ realm_access: { roles: ['user'] }, ...claims })
      .setProtectedHeader({ alg: s.alg, kid: s.kid })
      .setSubject(newUserId())
      .setIssuer(options.iss ?? ISSUER)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(s.privateKey);
  const statusWith = async (jwt: string) =>
    (await app.http.get('/api/v1/consent/me').set('authorization', `Bearer ${jwt}`)).status;

  beforeAll(async () => {
    rsa = await signer('rsa-1', 'RS256');
    ec = await signer('ec-1', 'ES256');
    await publish(jwks, rsa);
    await publish(jwks, ec);
    const url = await jwks.start();
    app = await createTestApp({
      databaseUrl: suite.db.url,
      env: {
        AUTH_JWKS_URL: url,
        AUTH_JWT_ISSUER: ISSUER,
        AUTH_JWT_AUDIENCE: AUDIENCE,
        AUTH_ROLES_CLAIM: 'realm_access.roles',
        AUTH_JWKS_COOLDOWN_SECONDS: '1',
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await jwks.stop();
  });

  it('accepts RS256 and ES256 tokens of the provider, with the roles from the configured claim', async () => {
    expect(await statusWith(await token(rsa))).toBe(200);
    expect(await statusWith(await token(ec))).toBe(200);
    // The roles claim decides: a provider token without the user role may not call a user route.
    expect(await statusWith(await token(rsa, { realm_access: { roles: ['service'] } }))).toBe(403);
    expect(await statusWith(await token(rsa, { realm_access: {} }))).toBe(401);
  });

  it('refuses a wrong issuer, a wrong audience, an expired token and an unknown key', async () => {
    expect(await statusWith(await token(rsa, {}, { iss: 'https://evil.test/' }))).toBe(401);
    expect(await statusWith(await token(rsa, {}, { aud: 'someone-else' }))).toBe(401);
    const expired = await app.http
      .get('/api/v1/consent/me')
      .set('authorization', `Bearer ${await token(rsa, {}, { exp: '-1m' })}`);
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toBe('The token has expired');
    const stranger = await signer('rsa-1', 'RS256'); // the provider's kid, another key
    expect(await statusWith(await token(stranger))).toBe(401);
  });

  it('refuses algorithm confusion: an HS256 token keyed with the provider’s public key, and alg none', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    const confused = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setSubject(newUserId())
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(pem));
    expect(await statusWith(confused)).toBe(401);
    const none = [
      Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url'),
      Buffer.from(JSON.stringify({ sub: newUserId(), roles: ['admin'], exp: 4_000_000_000 })).toString('base64url'),
      '',
    ].join('.');
    expect(await statusWith(none)).toBe(401);
    // This service's own HS256 tokens still work beside the provider's.
    const own = await new SignJWT({ roles: ['user'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(newUserId())
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect(await statusWith(own)).toBe(200);
  });

  it('follows a key rotation, and fetches the key set again only boundedly for unknown keys', async () => {
    const next = await signer('rsa-2', 'RS256');
    await publish(jwks, next);
    // The provider rotated: once the cooldown since the last fetch has passed, the new key is fetched and accepted.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await statusWith(await token(next))).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // A flood of tokens naming keys the set lacks: refused, without a fetch per token.
    const before = jwks.fetches;
    const unknown = await signer('rsa-unknown', 'RS256');
    const flood = await Promise.all(Array.from({ length: 30 }, async () => statusWith(await token(unknown))));
    expect(new Set(flood)).toEqual(new Set([401]));
    expect(jwks.fetches - before).toBeLessThanOrEqual(1);
  });

  it('makes a revoked client’s tokens fail within a second on every instance', async () => {
    const clients = app.app.get(ApiClientsService);
    const created = await clients.create('revoked-soon', ['service'], 'test');
    const issued = await app.http
      .post('/api/v1/auth/token')
      .send({ clientId: created.id, clientSecret: created.secret });
    expect(issued.status).toBe(200);
    const bearer = `Bearer ${issued.body.accessToken}`;
    const other = await createTestApp({ databaseUrl: suite.db.url });
    try {
      const route = `/api/v1/consent/${newUserId()}`;
      for (const instance of [app, other])
        expect((await instance.http.get(route).set('authorization', bearer)).status).toBe(200);
      const admin = `Bearer ${app.token('admin-1', ['admin'])}`;
      const revoked = await app.http.delete(`/api/v1/auth/clients/${created.id}`).set('authorization', admin);
      expect(revoked.status).toBe(204);
      const t0 = Date.now();
      // At once on the instance that revoked; within a second on the other (it remembered the token as verified).
      expect((await app.http.get(route).set('authorization', bearer)).status).toBe(401);
      const seen = await waitFor(
        async () => (await other.http.get(route).set('authorization', bearer)).status,
        (status) => status === 401,
        1000,
      );
      expect(seen).toBe(401);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect((await app.http.delete(`/api/v1/auth/clients/${created.id}`).set('authorization', admin)).body.code).toBe(
        'AUTH.CLIENT_NOT_FOUND',
      );
    } finally {
      await other.close();
    }
  });
});
