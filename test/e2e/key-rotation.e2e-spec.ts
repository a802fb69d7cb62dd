import { Client } from 'pg';
import { DataKeyService } from '../../src/modules/crypto/data-key.service';
import type { EncryptionContext } from '../../src/modules/crypto/encryption-context';
import { FieldEncryptionService } from '../../src/modules/crypto/field-encryption.service';
import { KeyRotationService } from '../../src/modules/crypto/key-rotation.service';
import { createSuiteDatabase } from '../setup/test-database';
import { newUserId } from '../support/ids';
import { createTestApp, TEST_ENCRYPTION_KEY, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const K1 = TEST_ENCRYPTION_KEY;
const K2 = '2e'.repeat(32);
const BOTH = { ENCRYPTION_KEY: '', ENCRYPTION_KEYS: `k2:${K2},k1:${K1}` };
const ONLY_K2 = { ENCRYPTION_KEY: '', ENCRYPTION_KEYS: `k2:${K2}` };

interface Stored {
  place: EncryptionContext;
  envelope: Buffer;
  value: string;
}

async function writeMany(t: TestApp, count: number, concurrency = 50): Promise<Stored[]> {
  const enc = t.app.get(FieldEncryptionService);
  const out: Stored[] = [];
  for (let i = 0; i < count; i += concurrency) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(concurrency, count - i) }, async (_, j) => {
        const place = { table: 'test_payloads', rowId: newUserId(), userId: newUserId(), field: 'data' };
        const value = `payload ${i + j}`;
        return { place, value, envelope: await enc.encrypt(place, Buffer.from(value)) };
      }),
    );
    out.push(...chunk);
  }
  return out;
}

describe('Key rotation (e2e)', () => {
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  let pg: Client;
  const apps: TestApp[] = [];
  const boot = async (env: Record<string, string>) => {
    const t = await createTestApp({ databaseUrl: db.url, env });
    apps.push(t);
    return t;
  };
  const kekCounts = async () =>
    Object.fromEntries(
      (
        await pg.query<{ kek_id: string; n: number }>(
          'SELECT kek_id, count(*)::int AS n FROM user_data_keys GROUP BY kek_id',
        )
      ).rows.map((r) => [r.kek_id, r.n]),
    );

  beforeEach(async () => {
    db = await createSuiteDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterEach(async () => {
    for (const t of apps.splice(0)) await t.close().catch(() => undefined);
    await pg.end();
    await db.drop();
  });

  it('rotates to a new key while data is being written; afterwards every payload decrypts and the old key can go', async () => {
    const before = await boot({});
    const stored = await writeMany(before, 300);
    await before.close();

    // Removing k1 while it still wraps keys is refused, naming the key and the count.
    await expect(createTestApp({ databaseUrl: db.url, env: ONLY_K2 })).rejects.toThrow(
      /k1 still wraps 300 data key\(s\) and 1 service key\(s\)/,
    );

    const t = await boot({ ...BOTH, KEY_ROTATION_BATCH_SIZE: '20' });
    const admin = `Bearer ${t.token(newUserId(), ['admin'])}`;
    const enc = t.app.get(FieldEncryptionService);
    let writing = true;
    const writer = (async () => {
      let n = 0;
      while (writing) {
        const existing = stored[n % stored.length];
        const place = { ...existing.place, rowId: newUserId() };
        stored.push({ place, value: `during ${n}`, envelope: await enc.encrypt(place, Buffer.from(`during ${n}`)) });
        stored.push(...(await writeMany(t, 2)));
        n += 1;
      }
    })();

    const started = await t.http.post('/api/v1/crypto/rotate').set('authorization', admin);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ targetKeyId: 'k2', keysTotal: 301, requestedBy: expect.any(String) });

    const status = await waitFor(
      async () => (await t.http.get('/api/v1/crypto/status').set('authorization', admin)).body,
      (s) => s.rotation?.status !== 'running',
      30_000,
      50,
    );
    writing = false;
    await writer;

    expect(status.rotation).toMatchObject({ status: 'completed', error: null });
    const [row] = (await pg.query('SELECT status, keys_rewrapped FROM key_rotations WHERE id = $1', [started.body.id]))
      .rows;
    expect(row).toEqual({ status: 'completed', keys_rewrapped: 301 });
    const final = (await t.http.get('/api/v1/crypto/status').set('authorization', admin)).body;
    expect(final.keys).toEqual([
      expect.objectContaining({ id: 'k2', current: true, systemKeys: 1 }),
      { id: 'k1', configured: true, current: false, dataKeys: 0, systemKeys: 0 },
    ]);
    expect(final.keysNotOnCurrent).toBe(0);
    expect(final.retirableKeyIds).toEqual(['k1']);
    expect(Object.keys(await kekCounts())).toEqual(['k2']);

    const audit = await t.http
      .get('/api/v1/audit')
      .query({ action: 'crypto.rotation.completed' })
      .set('authorization', admin);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ target: started.body.id, outcome: 'success', actorType: 'system' }),
    );
    const startedAudit = await t.http
      .get('/api/v1/audit')
      .query({ action: 'crypto.rotation.started' })
      .set('authorization', admin);
    expect(startedAudit.body.items).toContainEqual(
      expect.objectContaining({ target: started.body.id, actorType: 'admin' }),
    );

    // With k1 gone from the configuration, a fresh instance (cold caches) reads everything written before and during.
    await t.close();
    const after = await boot(ONLY_K2);
    const afterEnc = after.app.get(FieldEncryptionService);
    expect(stored.length).toBeGreaterThan(300);
    for (const s of stored) expect((await afterEnc.decrypt(s.place, s.envelope)).toString()).toBe(s.value);
  });

  const createKeysUnderK1 = async (count: number) => {
    const before = await boot({});
    const dataKeys = before.app.get(DataKeyService);
    const users = Array.from({ length: count }, () => newUserId());
    for (let i = 0; i < users.length; i += 100)
      await Promise.all(users.slice(i, i + 100).map((u) => dataKeys.getOrCreate(u)));
    await before.close();
  };
  const leftRunning = async () => {
    // What a crash mid-rotation leaves behind: a `running` row that no instance works on.
    const { rows } = await pg.query(
      `INSERT INTO key_rotations (id, target_kek_id, status, requested_by, keys_total, keys_rewrapped, started_at, updated_at)
       VALUES (gen_random_uuid(), 'k2', 'running', 'crashed-admin', 1201, 0, now(), now()) RETURNING id`,
    );
    return rows[0].id as string;
  };

  it('resumes a rotation left running by a crashed instance, on the next boot', async () => {
    await createKeysUnderK1(1_200);
    const id = await leftRunning();
    const t = await boot({ ...BOTH, KEY_ROTATION_BATCH_SIZE: '50' });
    await t.app.get(KeyRotationService).settled();
    expect((await pg.query('SELECT id, status, keys_rewrapped FROM key_rotations')).rows).toEqual([
      { id, status: 'completed', keys_rewrapped: 1_201 },
    ]);
    expect(await kekCounts()).toEqual({ k2: 1_200 });
  });

  it('answers a second request with the rotation already running instead of starting another', async () => {
    await createKeysUnderK1(50);
    const t = await boot(BOTH);
    const id = await leftRunning();
    const res = await t.http
      .post('/api/v1/crypto/rotate')
      .set('authorization', `Bearer ${t.token(newUserId(), ['admin'])}`);
    expect(res.status).toBe(202);
    expect(res.body.id).toBe(id);
    await t.app.get(KeyRotationService).settled();
    expect((await pg.query('SELECT id, status FROM key_rotations')).rows).toEqual([{ id, status: 'completed' }]);
    expect(await kekCounts()).toEqual({ k2: 50 });
  });

  it('does not resume, at boot, a rotation towards a key that is not current on this instance', async () => {
    await createKeysUnderK1(5);
    await leftRunning();
    const t = await boot({ ENCRYPTION_KEY: '', ENCRYPTION_KEYS: `k1:${K1},k2:${K2}` });
    await t.app.get(KeyRotationService).settled();
    expect((await pg.query('SELECT status FROM key_rotations')).rows).toEqual([{ status: 'running' }]);
    expect(await kekCounts()).toEqual({ k1: 5 });
  });
});
