import type { Client } from 'pg';
import { BlindIndexService } from '../../src/modules/crypto/blind-index.service';
import { CiphertextIntegrityError, DataShreddedError } from '../../src/modules/crypto/crypto.errors';
import type { EncryptionContext } from '../../src/modules/crypto/encryption-context';
import { FieldEncryptionService } from '../../src/modules/crypto/field-encryption.service';
import { newUserId } from '../support/ids';
import { useSuite, type Suite } from '../support/suite';
import { createTestApp, instances, withTestApps, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const REDIS_URL = process.env.REDIS_URL;
const ctx = (userId: string, rowId = newUserId()): EncryptionContext => ({
  table: 'test_payloads',
  rowId,
  userId,
  field: 'data',
});

describe('Crypto: field encryption, shredding, blind indexes (e2e)', () => {
  const suite = useSuite();
  let db: Suite['db'];
  let t: TestApp;
  let pg: Client;
  let enc: FieldEncryptionService;
  beforeAll(() => {
    ({ db, t, pg } = suite);
    enc = t.app.get(FieldEncryptionService);
  });

  const keyRows = async (userId: string) =>
    (
      await pg.query<{ key_id: string; kek_id: string; wrapped_key: Buffer }>(
        'SELECT key_id, kek_id, wrapped_key FROM user_data_keys WHERE user_id = $1',
        [userId],
      )
    ).rows;

  it('creates exactly one data key, wrapped by the current KEK, when a user’s first writes race', async () => {
    const user = newUserId();
    const contexts = Array.from({ length: 40 }, () => ctx(user));
    const sealed = await Promise.all(contexts.map((c, i) => enc.encryptJson(c, { i })));
    const rows = await keyRows(user);
    expect(rows).toHaveLength(1);
    expect(rows[0].kek_id).toBe('k1');
    expect(rows[0].wrapped_key.length).toBe(2 + 2 + 12 + 32 + 16);
    for (let i = 0; i < sealed.length; i++) expect(await enc.decryptJson(contexts[i], sealed[i])).toEqual({ i });
  });

  it('binds a ciphertext to its row and its user: a copy anywhere else fails the integrity check', async () => {
    const user = newUserId();
    const other = newUserId();
    const place = ctx(user);
    const envelope = await enc.encryptJson(place, { secret: 'the text' });
    await enc.encryptJson(ctx(other), { warm: true });
    expect(envelope.includes(Buffer.from('the text'))).toBe(false);
    await expect(enc.decrypt({ ...place, rowId: newUserId() }, envelope)).rejects.toThrow(CiphertextIntegrityError);
    await expect(enc.decrypt({ ...place, field: 'other' }, envelope)).rejects.toThrow(CiphertextIntegrityError);
    await expect(enc.decrypt({ ...place, userId: other }, envelope)).rejects.toThrow(CiphertextIntegrityError);
    const tampered = Buffer.from(envelope);
    tampered[tampered.length - 20] ^= 1;
    await expect(enc.decrypt(place, tampered)).rejects.toThrow(CiphertextIntegrityError);
    const otherKeyId = Buffer.from(envelope);
    otherKeyId[5] = otherKeyId[5] === 0x41 ? 0x42 : 0x41;
    await expect(enc.decrypt(place, otherKeyId)).rejects.toThrow(CiphertextIntegrityError);
  });

  it('crypto-shreds one user: their payloads fail with DATA_SHREDDED, other users are untouched', async () => {
    const [a, b] = [newUserId(), newUserId()];
    const aPlaces = [ctx(a), ctx(a)];
    const bPlace = ctx(b);
    const aSealed = await Promise.all(aPlaces.map((p) => enc.encryptJson(p, { who: 'a' })));
    const bSealed = await enc.encryptJson(bPlace, { who: 'b' });

    expect(await enc.shredUser(a)).toBe(true);

    expect(await keyRows(a)).toHaveLength(0);
    for (let i = 0; i < aPlaces.length; i++) {
      const failure = await enc.decrypt(aPlaces[i], aSealed[i]).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(DataShreddedError);
      expect((failure as DataShreddedError).code).toBe('CRYPTO.DATA_SHREDDED');
    }
    expect(await enc.decryptJson(bPlace, bSealed)).toEqual({ who: 'b' });

    // New data of the same user gets a new key; the shredded payloads stay unreadable.
    const fresh = ctx(a);
    const freshSealed = await enc.encryptJson(fresh, { who: 'a again' });
    expect(await enc.decryptJson(fresh, freshSealed)).toEqual({ who: 'a again' });
    await expect(enc.decrypt(aPlaces[0], aSealed[0])).rejects.toThrow(DataShreddedError);
  });

  it('keeps the generated blind-index key wrapped in the database, stable across restarts', async () => {
    const index = t.app.get(BlindIndexService).compute('correction', 'teh', 'the');
    const { rows } = await pg.query(
      'SELECT key_id, kek_id, wrapped_key IS NOT NULL AS wrapped FROM crypto_system_keys',
    );
    expect(rows).toEqual([{ key_id: 'generated', kek_id: 'k1', wrapped: true }]);
    const again = await createTestApp({ databaseUrl: db.url });
    try {
      expect(again.app.get(BlindIndexService).compute('correction', 'Teh', 'THE')).toBe(index);
    } finally {
      await again.close();
    }
  });

  it('refuses to boot with a BLIND_INDEX_KEY other than the key the stored indexes were built with', async () => {
    await expect(createTestApp({ databaseUrl: db.url, env: { BLIND_INDEX_KEY: 'ab'.repeat(32) } })).rejects.toThrow(
      /BLIND_INDEX_KEY is not the key/,
    );
  });

  it('lets another instance read a shredded user only until its cache TTL expires (no Redis)', async () => {
    const user = newUserId();
    const place = ctx(user);
    const sealed = await enc.encryptJson(place, { n: 1 });
    const other = await createTestApp({ databaseUrl: db.url, env: { DATA_KEY_CACHE_TTL_SECONDS: '1' } });
    try {
      const otherEnc = other.app.get(FieldEncryptionService);
      expect(await otherEnc.decryptJson(place, sealed)).toEqual({ n: 1 });
      await enc.shredUser(user);
      // Without Redis nobody tells the other instance: its cached key still works until the TTL runs out.
      expect(await otherEnc.decryptJson(place, sealed)).toEqual({ n: 1 });
      await new Promise((r) => setTimeout(r, 1_100));
      await expect(otherEnc.decrypt(place, sealed)).rejects.toThrow(DataShreddedError);
    } finally {
      await other.close();
    }
  });

  (REDIS_URL ? it : it.skip)('evicts a shredded key from every instance at once through Redis', async () => {
    const env = { REDIS_URL: REDIS_URL as string, DATA_KEY_CACHE_TTL_SECONDS: '3600' };
    await withTestApps(instances(2, { databaseUrl: db.url, env }), async ([one, two]) => {
      const user = newUserId();
      const place = ctx(user);
      const sealed = await one.app.get(FieldEncryptionService).encryptJson(place, { n: 2 });
      const twoEnc = two.app.get(FieldEncryptionService);
      expect(await twoEnc.decryptJson(place, sealed)).toEqual({ n: 2 });
      await one.app.get(FieldEncryptionService).shredUser(user);
      const error = await waitFor(
        () => twoEnc.decrypt(place, sealed).catch((e: unknown) => e),
        (e) => e instanceof DataShreddedError,
        1_000,
      );
      expect(error).toBeInstanceOf(DataShreddedError);
    });
  });

  it('keeps a tombstone of a shredded key that names neither the user nor the key', async () => {
    const user = newUserId();
    await enc.encryptJson(ctx(user), { x: 1 });
    const [{ key_id }] = await keyRows(user);
    await enc.shredUser(user);
    const { rows } = await pg.query('SELECT to_jsonb(t)::text AS row FROM shredded_data_keys t WHERE key_id = $1', [
      key_id,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].row).not.toContain(user);
  });

  describe('API access', () => {
    it.each([
      ['get', '/api/v1/crypto/status'],
      ['post', '/api/v1/crypto/rotate'],
    ] as const)('%s %s: 401 without a token, 403 for users and services', async (method, path) => {
      expect((await t.http[method](path)).status).toBe(401);
      for (const role of ['user', 'service'] as const) {
        const res = await t.http[method](path).set('authorization', `Bearer ${t.token(newUserId(), [role])}`);
        expect(res.status).toBe(403);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
    });

    it('refuses a rotation aimed at a key that is not current here, and a malformed key id', async () => {
      const admin = `Bearer ${t.token(newUserId(), ['admin'])}`;
      const wrong = await t.http.post('/api/v1/crypto/rotate').set('authorization', admin).send({ targetKeyId: 'k2' });
      expect(wrong.status).toBe(409);
      expect(wrong.body.code).toBe('CRYPTO.TARGET_NOT_CURRENT');
      const bad = await t.http
        .post('/api/v1/crypto/rotate')
        .set('authorization', admin)
        .send({ targetKeyId: 'no spaces!' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('targetKeyId');
      const extra = await t.http.post('/api/v1/crypto/rotate').set('authorization', admin).send({ keyId: 'k1' });
      expect(extra.status).toBe(400);
      const nothing = await t.http
        .post('/api/v1/crypto/rotate')
        .set('authorization', admin)
        .send({ targetKeyId: null });
      expect(nothing.status).toBe(400);
      expect(nothing.body.errors[0].field).toBe('targetKeyId');
    });

    it('reports key usage to an admin', async () => {
      await enc.encryptJson(ctx(newUserId()), { for: 'status' });
      const res = await t.http
        .get('/api/v1/crypto/status')
        .set('authorization', `Bearer ${t.token(newUserId(), ['admin'])}`);
      expect(res.status).toBe(200);
      expect(res.body.currentKeyId).toBe('k1');
      expect(res.body.keys).toEqual([
        { id: 'k1', configured: true, current: true, dataKeys: expect.any(Number), systemKeys: 1 },
      ]);
      expect(res.body.keys[0].dataKeys).toBeGreaterThan(0);
      expect(res.body.keysNotOnCurrent).toBe(0);
      expect(res.body.retirableKeyIds).toEqual([]);
    });
  });
});
