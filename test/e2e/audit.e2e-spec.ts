import { Client } from 'pg';
import { encodeCursor } from '../../src/common/pagination/cursor';
import { EntityManager } from '@mikro-orm/postgresql';
import { SqlPool } from '../../src/database/sql-pool.service';
import { AuditService } from '../../src/modules/audit/audit.service';
import { createSuiteDatabase } from '../setup/test-database';
import { newUserId } from '../support/ids';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Audit log (e2e)', () => {
  let t: TestApp;
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  let admin: string;

  beforeAll(async () => {
    db = await createSuiteDatabase();
    t = await createTestApp({ databaseUrl: db.url });
    admin = t.token(newUserId(), ['admin']);
    const audit = t.app.get(AuditService);
    for (let i = 0; i < 7; i++) {
      await audit.record({
        actor: i % 2 ? 'alice' : 'bob',
        actorType: 'user',
        action: i < 5 ? 'test.thing.done' : 'test.other',
        outcome: 'success',
        details: { i },
      });
    }
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const list = (query: Record<string, string | number>) =>
    t.http.get('/api/v1/audit').query(query).set('authorization', `Bearer ${admin}`);

  it('pages through a filtered list with an opaque cursor, newest first, without gaps or repeats', async () => {
    const first = await list({ action: 'test.thing.done', limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items[0].details.i).toBe(4);
    const seen = [...first.body.items];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await list({ action: 'test.thing.done', limit: 2, cursor });
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(seen.map((e) => e.details.i)).toEqual([4, 3, 2, 1, 0]);
  });

  it('filters by actor and time', async () => {
    const alice = await list({ actor: 'alice', action: 'test.thing.done' });
    expect(alice.body.items.map((e: { details: { i: number } }) => e.details.i)).toEqual([3, 1]);
    const future = await list({ from: new Date(Date.now() + 60_000).toISOString() });
    expect(future.body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a malformed cursor, a cursor from other filters, and bad query values with 400 naming the field', async () => {
    expect((await list({ cursor: 'garbage!' })).body.errors).toEqual([
      { field: 'cursor', message: expect.any(String) },
    ]);
    const other = await list({ action: 'test.thing.done', limit: 1 });
    const reused = await list({ action: 'test.other', limit: 1, cursor: other.body.nextCursor });
    expect(reused.status).toBe(400);
    expect(reused.body.errors[0].field).toBe('cursor');
    // Cursors are not signed: one crafted for the right filters must still hold a time and an entry id.
    const none = { action: undefined, actor: undefined, from: undefined, to: undefined };
    for (const position of [
      ['2026-12-01T00:00:00.000Z', 'not-a-uuid'],
      ['not a time', newUserId()],
      ['-271821-04-20T00:00:00.000Z', newUserId()],
      'x',
    ]) {
      const crafted = await list({ cursor: encodeCursor(position, none) });
      expect(crafted.status).toBe(400);
      expect(crafted.body.errors[0].field).toBe('cursor');
    }
    for (const [field, value] of [
      ['limit', 501],
      ['limit', 0],
      ['from', 'yesterday'],
      ['action', 'DROP TABLE'],
    ] as const) {
      const res = await list({ [field]: value });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    }
  });

  it('writes an entry inside the caller’s transaction, ORM or SQL, and rolls it back with it', async () => {
    const audit = t.app.get(AuditService);
    const entry = (action: string) => ({
      actor: 'carol',
      actorType: 'user' as const,
      action,
      outcome: 'success' as const,
    });
    await expect(
      t.app
        .get(EntityManager)
        .fork()
        .transactional(async (tx) => {
          await audit.recordIn(tx, entry('test.tx.rolled_back'));
          throw new Error('abort');
        }),
    ).rejects.toThrow('abort');
    await expect(
      t.app.get(SqlPool).transaction(async (tx) => {
        await audit.recordIn(tx, entry('test.tx.rolled_back'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await t.app
      .get(EntityManager)
      .fork()
      .transactional((tx) => audit.recordIn(tx, entry('test.tx.committed')));
    await t.app.get(SqlPool).transaction((tx) => audit.recordIn(tx, entry('test.tx.committed')));
    const count = async (action: string) =>
      Number(
        (
          await t.app
            .get(SqlPool)
            .query<{ n: string }>('SELECT count(*) AS n FROM audit_log WHERE action = $1', [action])
        )[0].n,
      );
    expect(await count('test.tx.rolled_back')).toBe(0);
    expect(await count('test.tx.committed')).toBe(2);
  });

  it('is append-only in the database: UPDATE and DELETE are refused', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE audit_log SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM audit_log`);
      expect(rows[0].n).toBeGreaterThanOrEqual(7);
    } finally {
      await client.end();
    }
  });
});
