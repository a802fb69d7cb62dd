import { Client } from 'pg';
import { newUserId } from '../support/ids';
import { correction, interaction, setConsent } from '../support/learning';
import { useSuite, withInsertTrigger } from '../support/suite';
import { waitFor } from '../support/wait';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Learning events: ingestion (e2e)', () => {
  const suite = useSuite({ env: { LEARNING_BATCH_MAX_EVENTS: '50' } });
  let t: TestApp;
  let pg: Client;
  beforeAll(() => ({ t, pg } = suite));

  const as = (sub: string, roles: ('user' | 'service' | 'admin')[] = ['user']) => `Bearer ${t.token(sub, roles)}`;
  const service = () => as('svc-ingest', ['service']);
  const post = (body: unknown, auth = service()) =>
    t.http
      .post('/api/v1/learning/events')
      .set('authorization', auth)
      .send(body as object);
  const batch = (events: unknown[], auth = service()) =>
    t.http.post('/api/v1/learning/events/batch').set('authorization', auth).send({ events });
  const stored = async (user: string) =>
    (await pg.query('SELECT * FROM global_learning_events WHERE user_id = $1 ORDER BY id', [user])).rows;

  it('accepts an event of a consenting user: 201 with its id, payload encrypted, miner columns in clear', async () => {
    const user = newUserId();
    await setConsent(t, user);
    const res = await post(interaction(user, { timestamp: new Date(Date.now() - 60_000).toISOString() }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'accepted' });
    const [row] = await stored(user);
    expect(row).toMatchObject({
      id: res.body.id,
      event_type: 'interaction',
      module: 'editor',
      action: 'apply_suggestion',
      session_id: 's-1',
      outcome: 'success',
    });
    expect(row.payload.includes(Buffer.from('secret-plaintext-marker'))).toBe(false);
    expect(row.payload[0]).toBe(0x01);
  });

  it('refuses a user without consent with 403 CONSENT.REQUIRED and stores nothing', async () => {
    const user = newUserId();
    const res = await post(interaction(user));
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('CONSENT.REQUIRED');
    expect(await stored(user)).toHaveLength(0);
    const keys = await pg.query('SELECT 1 FROM user_data_keys WHERE user_id = $1', [user]);
    expect(keys.rowCount).toBe(0);
  });

  it('answers a repeated clientEventId with 200 duplicate and the first id, storing one row', async () => {
    const user = newUserId();
    await setConsent(t, user);
    const first = await post(interaction(user, { clientEventId: 'evt-1' }));
    const again = await post(interaction(user, { clientEventId: 'evt-1', data: { outcome: 'failure' } }));
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: first.body.id, status: 'duplicate' });
    expect(await stored(user)).toHaveLength(1);
  });

  it('stores one row when two requests with one clientEventId arrive at once', async () => {
    const user = newUserId();
    await setConsent(t, user);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post(interaction(user, { clientEventId: 'same' }))),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await stored(user)).toHaveLength(1);
  });

  describe('concurrent single events', () => {
    /**
     * Sends one single-event request per client event id at once while the test holds an advisory lock every insert
     * waits for: the first statements block while the other requests arrive and queue, so those share statements.
     */
    async function burst(user: string, ids: string[]) {
      const hold = new Client({ connectionString: suite.db.url });
      await hold.connect();
      try {
        await hold.query('SELECT pg_advisory_lock(4242)');
        return await withInsertTrigger(
          pg,
          "PERFORM pg_advisory_xact_lock_shared(4242); IF NEW.client_event_id = 'boom' THEN RAISE EXCEPTION 'simulated crash'; END IF;",
          async () => {
            const pending = Promise.all(
              ids.map((clientEventId) => post(interaction(user, { clientEventId })).then((r) => r)),
            );
            await waitFor(
              async () =>
                (
                  await pg.query<{ n: number }>(
                    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted`,
                  )
                ).rows[0].n,
              (n) => n >= 4,
              10_000,
            );
            await new Promise((r) => setTimeout(r, 300));
            await hold.query('SELECT pg_advisory_unlock(4242)');
            return pending;
          },
        );
      } finally {
        await hold.end();
      }
    }
    const storedIds = async (user: string) =>
      (
        await pg.query<{ client_event_id: string; tx: string }>(
          'SELECT client_event_id, xmin::text AS tx FROM global_learning_events WHERE user_id = $1',
          [user],
        )
      ).rows;

    it('share transactions under load', async () => {
      const user = newUserId();
      await setConsent(t, user);
      const ids = Array.from({ length: 30 }, (_, i) => `c-${i}`);
      expect((await burst(user, ids)).map((r) => r.status)).toEqual(ids.map(() => 201));
      const rows = await storedIds(user);
      expect(rows.map((r) => r.client_event_id).sort()).toEqual([...ids].sort());
      // Rows written by one statement share a transaction id: fewer transactions than requests means they were grouped.
      expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(rows.length);
    });

    it('keep their own outcome: a request failing in a shared statement leaves the others stored', async () => {
      const user = newUserId();
      await setConsent(t, user);
      const ids = Array.from({ length: 30 }, (_, i) => (i === 17 ? 'boom' : `c-${i}`));
      expect((await burst(user, ids)).map((r) => r.status)).toEqual(ids.map((id) => (id === 'boom' ? 500 : 201)));
      expect((await storedIds(user)).map((r) => r.client_event_id).sort()).toEqual(
        ids.filter((id) => id !== 'boom').sort(),
      );
    });
  });

  it('lets a user token send only its own events', async () => {
    const user = newUserId();
    await setConsent(t, user);
    expect((await post(interaction(undefined), as(user))).status).toBe(201);
    expect((await post(interaction(user.toUpperCase()), as(user))).status).toBe(201);
    const foreign = await post(interaction(newUserId()), as(user));
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ code: 'LEARNING.FOREIGN_USER', errors: [{ field: 'userId' }] });
    const noUser = await post(interaction(undefined));
    expect(noUser.status).toBe(400);
    expect(noUser.body.errors).toEqual([{ field: 'userId', message: expect.stringContaining('required') }]);
    expect((await post(interaction(user), as('admin-1', ['admin']))).status).toBe(201);
  });

  describe('bounds: just inside accepted, just outside rejected with the field named', () => {
    let user: string;
    beforeAll(async () => {
      user = newUserId();
      await setConsent(t, user);
    });
    const deep = (levels: number): Record<string, unknown> => (levels <= 1 ? { leaf: 1 } : { n: deep(levels - 1) });
    const labels = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));
    const cases: [
      string,
      (u: string) => Record<string, unknown>,
      (u: string) => Record<string, unknown>,
      string,
      number?,
    ][] = [
      [
        'module pattern',
        (u) => interaction(u, { context: { module: 'a'.repeat(64), action: 'x' } }),
        (u) => interaction(u, { context: { module: 'a'.repeat(65), action: 'x' } }),
        'context.module',
      ],
      [
        'module charset',
        (u) => interaction(u, { context: { module: 'a.b-c_d9', action: 'x' } }),
        (u) => interaction(u, { context: { module: 'Editor', action: 'x' } }),
        'context.module',
      ],
      [
        'action pattern',
        (u) => interaction(u, { context: { module: 'm', action: '0' } }),
        (u) => interaction(u, { context: { module: 'm', action: '-x' } }),
        'context.action',
      ],
      [
        'label count',
        (u) => interaction(u, { context: { module: 'm', action: 'a', ...labels(16) } }),
        (u) => interaction(u, { context: { module: 'm', action: 'a', ...labels(17) } }),
        'context',
      ],
      [
        'label length',
        (u) => interaction(u, { context: { module: 'm', action: 'a', tag: 'é'.repeat(256) } }),
        (u) => interaction(u, { context: { module: 'm', action: 'a', tag: 'x'.repeat(257) } }),
        'context.tag',
      ],
      [
        'label type',
        (u) => interaction(u, { context: { module: 'm', action: 'a', tag: 'x' } }),
        (u) => interaction(u, { context: { module: 'm', action: 'a', tag: 5 } }),
        'context.tag',
      ],
      [
        'data size',
        (u) => interaction(u, { data: { s: 'x'.repeat(16 * 1024 - 8) } }),
        (u) => interaction(u, { data: { s: 'x'.repeat(16 * 1024 - 7) } }),
        'data',
      ],
      ['data depth', (u) => interaction(u, { data: deep(8) }), (u) => interaction(u, { data: deep(9) }), 'data'],
      [
        'rating',
        (u) => ({ userId: u, eventType: 'feedback', context: { module: 'm', action: 'a' }, data: { rating: 5 } }),
        (u) => ({ userId: u, eventType: 'feedback', context: { module: 'm', action: 'a' }, data: { rating: 6 } }),
        'data.rating',
      ],
      [
        'rating or sentiment',
        (u) => ({
          userId: u,
          eventType: 'feedback',
          context: { module: 'm', action: 'a' },
          data: { sentiment: 'negative' },
        }),
        (u) => ({ userId: u, eventType: 'feedback', context: { module: 'm', action: 'a' }, data: { comment: 'hm' } }),
        'data.rating',
      ],
      [
        'correction length',
        (u) => correction(u, 'a'.repeat(4000), 'b'),
        (u) => correction(u, 'a'.repeat(4001), 'b'),
        'data.original',
      ],
      ['correction text', (u) => correction(u, 'teh', 'the'), (u) => correction(u, 'same', 'same'), 'data.corrected'],
      [
        'correction NUL',
        (u) => correction(u, 'te\th', 'the'),
        (u) => correction(u, 'te\u0000h', 'the'),
        'data.original',
      ],
      [
        'correction lone surrogate',
        (u) => correction(u, 'teh 😀', 'the'),
        (u) => correction(u, 'teh', 'the \ud83d'),
        'data.corrected',
      ],
      [
        'correction bidi override',
        (u) => correction(u, 'שלום', 'the'),
        (u) => correction(u, 'teh\u202e', 'the'),
        'data.original',
      ],
      [
        'correction escape sequence',
        (u) => correction(u, 'a\nb', 'the'),
        (u) => correction(u, 'a\u001b[2Jb', 'the'),
        'data.original',
      ],
      [
        'comment control character',
        (u) => ({
          userId: u,
          eventType: 'feedback',
          context: { module: 'm', action: 'a' },
          data: { rating: 3, comment: 'ok' },
        }),
        (u) => ({
          userId: u,
          eventType: 'feedback',
          context: { module: 'm', action: 'a' },
          data: { rating: 3, comment: 'o\u0007k' },
        }),
        'data.comment',
      ],
      [
        'reported item NUL',
        (u) => ({
          userId: u,
          eventType: 'pattern_discovery',
          context: { module: 'm', action: 'a' },
          data: { patternType: 'flow', signature: 's', items: ['a'] },
        }),
        (u) => ({
          userId: u,
          eventType: 'pattern_discovery',
          context: { module: 'm', action: 'a' },
          data: { patternType: 'flow', signature: 's', items: ['a\u0000'] },
        }),
        'data.items[0]',
      ],
      [
        'clientEventId',
        (u) => interaction(u, { clientEventId: 'c'.repeat(128) }),
        (u) => interaction(u, { clientEventId: 'c'.repeat(129) }),
        'clientEventId',
      ],
      ['event type', (u) => interaction(u), (u) => interaction(u, { eventType: 'click' }), 'eventType'],
      ['unknown field', (u) => interaction(u), (u) => interaction(u, { extra: 1 }), 'extra'],
      [
        'timestamp future',
        (u) => interaction(u, { timestamp: new Date(Date.now() + 4 * 60_000).toISOString() }),
        (u) => interaction(u, { timestamp: new Date(Date.now() + 6 * 60_000).toISOString() }),
        'timestamp',
        422,
      ],
      [
        'timestamp retention',
        (u) => interaction(u, { timestamp: new Date(Date.now() - 89 * 86_400_000).toISOString() }),
        (u) => interaction(u, { timestamp: new Date(Date.now() - 91 * 86_400_000).toISOString() }),
        'timestamp',
        422,
      ],
      [
        'timestamp format',
        (u) => interaction(u, { timestamp: '2026-11-24T10:00:00+01:00' }),
        (u) => interaction(u, { timestamp: '2026-11-24 10:00' }),
        'timestamp',
      ],
    ];
    it.each(cases)('%s', async (_name, inside, outside, field, status = 400) => {
      const ok = await post(inside(user));
      expect(ok.status).toBe(201);
      const bad = await post(outside(user));
      expect(bad.status).toBe(status);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  describe('batches', () => {
    it('answers a result per item and stores the accepted ones', async () => {
      const [yes, no] = [newUserId(), newUserId()];
      await setConsent(t, yes);
      const res = await batch([
        interaction(yes, { clientEventId: 'b-1' }),
        interaction(no),
        interaction(yes, { eventType: 'nope' }),
        interaction(yes, { clientEventId: 'b-1' }),
        correction(yes, 'teh', 'the'),
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: 2, duplicates: 1, rejected: 2 });
      const r = res.body.results;
      expect(r.map((x: { status: string }) => x.status)).toEqual([
        'accepted',
        'rejected',
        'rejected',
        'duplicate',
        'accepted',
      ]);
      expect(r[1].error).toMatchObject({ code: 'CONSENT.REQUIRED', status: 403 });
      expect(r[2].error).toMatchObject({ code: 'VALIDATION.FAILED', status: 400, errors: [{ field: 'eventType' }] });
      expect(r[3].id).toBe(r[0].id);
      const rows = await stored(yes);
      expect(rows.map((row) => row.id).sort()).toEqual([r[0].id, r[4].id].sort());
      expect(rows.find((row) => row.event_type === 'correction').signature).toMatch(/^[0-9a-f]{64}$/);
      expect(await stored(no)).toHaveLength(0);
    });

    it('detects duplicates across batches', async () => {
      const user = newUserId();
      await setConsent(t, user);
      const first = await batch([
        interaction(user, { clientEventId: 'x1' }),
        interaction(user, { clientEventId: 'x2' }),
      ]);
      const second = await batch([
        interaction(user, { clientEventId: 'x2' }),
        interaction(user, { clientEventId: 'x3' }),
      ]);
      expect(second.body.results).toEqual([
        { index: 0, status: 'duplicate', id: first.body.results[1].id },
        { index: 1, status: 'accepted', id: expect.any(String) },
      ]);
      expect(await stored(user)).toHaveLength(3);
    });

    it('gives a correction made by two users the same signature, and a different one to another correction', async () => {
      const [a, b] = [newUserId(), newUserId()];
      await setConsent(t, a);
      await setConsent(t, b);
      await batch([
        correction(a, 'Teh  cat', 'The cat'),
        correction(b, 'teh cat', 'the cat'),
        correction(b, 'teh dog', 'the dog'),
      ]);
      const sig = async (u: string) => (await stored(u)).map((r) => r.signature);
      const [sa] = await sig(a);
      const sb = await sig(b);
      expect(sb).toContain(sa);
      expect(new Set(sb).size).toBe(2);
    });

    it('refuses label text that PostgreSQL cannot store as 400 for that item only', async () => {
      const user = newUserId();
      await setConsent(t, user);
      const res = await batch([
        interaction(user, { context: { module: 'm', action: 'a', tag: 'nul\u0000here' } }),
        interaction(user, { context: { module: 'm', action: 'a', tag: 'lone \ud800 surrogate' } }),
        interaction(user, { context: { module: 'm', action: 'a', tag: 'paired 😀 is fine' } }),
      ]);
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'rejected', 'accepted']);
      expect(res.body.results[0].error.errors).toEqual([
        { field: 'context.tag', message: expect.stringContaining('NUL') },
      ]);
    });

    it('lists at most 20 field errors per event', async () => {
      const junk = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`junk${i}`, i]));
      const res = await post({ ...interaction(newUserId()), ...junk });
      expect(res.status).toBe(400);
      expect(res.body.errors).toHaveLength(21);
      expect(res.body.errors[20]).toEqual({ field: 'event', message: 'and 480 more problems' });
    });

    it('gives the batch route its own body limit', async () => {
      const small = await createTestApp({
        databaseUrl: suite.db.url,
        env: { BODY_LIMIT_BYTES: '2048', LEARNING_BATCH_BODY_LIMIT_BYTES: '65536' },
      });
      try {
        const user = newUserId();
        await setConsent(small, user);
        const auth = `Bearer ${small.token(user, ['user'])}`;
        const event = interaction(undefined, { data: { s: 'x'.repeat(3000) } });
        expect((await small.http.post('/api/v1/learning/events').set('authorization', auth).send(event)).status).toBe(
          413,
        );
        expect(
          (
            await small.http
              .post('/api/v1/learning/events/batch')
              .set('authorization', auth)
              .send({ events: [event] })
          ).body.accepted,
        ).toBe(1);
        const tooBig = await small.http
          .post('/api/v1/learning/events/batch')
          .set('authorization', auth)
          .send({ events: Array.from({ length: 30 }, () => event) });
        expect(tooBig.status).toBe(413);
        expect(tooBig.body.code).toBe('REQUEST.TOO_LARGE');
      } finally {
        await small.close();
      }
    });

    it('bounds the batch size and shape', async () => {
      const user = newUserId();
      const tooMany = await batch(Array.from({ length: 51 }, () => interaction(user)));
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.errors).toEqual([{ field: 'events', message: expect.stringContaining('1-50') }]);
      expect((await batch([])).status).toBe(400);
      const extra = await t.http
        .post('/api/v1/learning/events/batch')
        .set('authorization', service())
        .send({ events: [interaction(user)], more: 1 });
      expect(extra.status).toBe(400);
      expect(extra.body.errors[0].field).toBe('more');
    });

    it('takes batches above the COPY threshold through COPY, with awkward text intact and duplicates resolved', async () => {
      const user = newUserId();
      await setConsent(t, user);
      const awkward = 'tab\there, new\nline, return\r, back\\slash \\N, "quotes", ünïcødé 😀';
      const events = Array.from({ length: 30 }, (_, i) =>
        interaction(user, {
          clientEventId: `cp\\${i}`,
          context: { module: 'editor', action: 'open', sessionId: 's:1', note: awkward },
          data: { text: awkward, i },
        }),
      );
      events.push(interaction(user, { clientEventId: 'cp\\3' })); // a repeat inside the batch
      const first = await batch(events);
      expect(first.body).toMatchObject({ accepted: 30, duplicates: 1, rejected: 0 });
      expect(first.body.results[30].id).toBe(first.body.results[3].id);
      const again = await batch(events);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: 31 });
      expect(again.body.results[5].id).toBe(first.body.results[5].id);
      const rows = await stored(user);
      expect(rows).toHaveLength(30);
      expect(rows.every((r) => r.labels.note === awkward && r.client_event_id.startsWith('cp\\'))).toBe(true);
      const read = await t.http
        .get('/api/v1/learning/events')
        .set('authorization', `Bearer ${t.token(user, ['user'])}`)
        .query({ limit: 1 });
      expect(read.body.items[0].data).toEqual({ text: awkward, i: 29 });
    });

    it('refuses per item a user whose consent ended where this instance has not seen it, in a COPY-sized batch', async () => {
      const [stays, left] = [newUserId(), newUserId()];
      await setConsent(t, stays);
      await setConsent(t, left);
      // Another instance's withdrawal, not announced here (no Redis): the gate still says yes, the database no.
      await pg.query('UPDATE user_privacy_settings SET allow_collective_learning = false WHERE user_id = $1', [left]);
      const events = Array.from({ length: 30 }, (_, i) =>
        interaction(i % 2 ? left : stays, { clientEventId: `gone-${i}` }),
      );
      const res = await batch(events);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: 15, rejected: 15 });
      expect(res.body.results[1].error).toMatchObject({ code: 'CONSENT.REQUIRED', status: 403 });
      expect(await stored(stays)).toHaveLength(15);
      expect(await stored(left)).toHaveLength(0);
    });

    /** Runs `work` with a transaction open on a connection of its own, then ends it with `end` and closes it. */
    const withOpenTransaction = async <T>(end: 'COMMIT' | 'ROLLBACK', work: (tx: Client) => Promise<T>): Promise<T> => {
      const tx = new Client({ connectionString: suite.db.url });
      await tx.connect();
      try {
        await tx.query('BEGIN');
        const result = await work(tx);
        await tx.query(end);
        return result;
      } finally {
        await tx.end();
      }
    };
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    /**
     * Runs `hold` in a transaction of its own, starts `request`, checks that the request does not answer while the
     * transaction stays open (400 ms), commits, and returns the answer.
     */
    const answeredAfterCommit = async <T>(
      hold: (tx: Client) => Promise<unknown>,
      request: () => Promise<T>,
    ): Promise<T> => {
      const { pending } = await withOpenTransaction('COMMIT', async (tx) => {
        await hold(tx);
        let answered = false;
        const started = request().then((res) => {
          answered = true;
          return res;
        });
        await pause(400);
        expect(answered).toBe(false);
        return { pending: started };
      });
      return pending;
    };

    it('makes a COPY-sized batch wait for a withdrawal in flight, and then store nothing of that user', async () => {
      const [stays, leaving] = [newUserId(), newUserId()];
      await setConsent(t, stays);
      await setConsent(t, leaving);
      const res = await answeredAfterCommit(
        async (withdrawal) => {
          // What a withdrawal does first: take the user's consent bucket, then change the setting.
          await withdrawal.query('SELECT learning_consent_change_lock($1::uuid)', [leaving]);
          await withdrawal.query(
            'UPDATE user_privacy_settings SET allow_collective_learning = false WHERE user_id = $1',
            [leaving],
          );
        },
        () => batch(Array.from({ length: 30 }, (_, i) => interaction(i % 2 ? leaving : stays))),
      );
      expect(res.body).toMatchObject({ accepted: 15, rejected: 15 });
      expect(await stored(leaving)).toHaveLength(0);
      expect(await stored(stays)).toHaveLength(15);
    });

    it.each([
      [
        'a withdrawal',
        (user: string) =>
          t.http
            .put(`/api/v1/consent/${user}`)
            .set('authorization', service())
            .send({ allowCollectiveLearning: false, policyVersion: '2026-11' }),
      ],
      [
        'an erasure',
        (user: string) =>
          t.http.delete(`/api/v1/privacy/users/${user}`).set('authorization', as('ing-admin', ['admin'])),
      ],
    ])('makes %s wait for a COPY-sized write in flight', async (_, change) => {
      const user = newUserId();
      await setConsent(t, user);
      // What a direct-COPY write holds until it commits: its users' consent buckets, shared.
      const res = await answeredAfterCommit(
        (write) => write.query('SELECT learning_consent_held(ARRAY[$1::uuid])', [user]),
        () => change(user),
      );
      expect(res.status).toBeLessThan(300);
    });

    it('stores each id once when COPY-sized batches repeating each other in opposite orders meet on a held id', async () => {
      const user = newUserId();
      await setConsent(t, user);
      const events = Array.from({ length: 30 }, (_, i) =>
        interaction(user, { clientEventId: `race-${String(i).padStart(2, '0')}` }),
      );
      const orders = [events, [...events].reverse()];
      // An uncommitted insert of the middle id makes both batches stop on it with everything before it inserted;
      // were their rows not inserted in one order, the first to go on after the rollback would deadlock with the other.
      const { pending } = await withOpenTransaction('ROLLBACK', async (tx) => {
        await tx.query(
          `INSERT INTO global_learning_events (id, user_id, event_type, module, action, client_event_id, timestamp, payload, key_id)
           VALUES (gen_random_uuid(), $1, 'interaction', 'editor', 'open', 'race-15', now(), '\\x00', 'k')`,
          [user],
        );
        const started = Promise.all(orders.map((order) => batch(order)));
        await pause(400);
        return { pending: started };
      });
      const answers = await pending;
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const rows = await stored(user);
      expect(rows).toHaveLength(30);
      answers.forEach((res, i) => {
        const idOf = new Map(orders[i].map((e, index) => [e.clientEventId, res.body.results[index].id]));
        for (const row of rows) expect(idOf.get(row.client_event_id)).toBe(row.id);
      });
      expect(answers.reduce((n, a) => n + a.body.accepted, 0)).toBe(30);
    });

    it('takes COPY-sized batches of consenting users past a settings row that something else holds (no row locks)', async () => {
      const user = newUserId();
      await setConsent(t, user);
      await withOpenTransaction('ROLLBACK', async (tx) => {
        await tx.query('SELECT 1 FROM user_privacy_settings WHERE user_id = $1 FOR UPDATE', [user]);
        // The staged and small paths would wait here: they hold the settings rows FOR SHARE.
        const res = await batch(Array.from({ length: 30 }, () => interaction(user)));
        expect(res.body).toMatchObject({ accepted: 30 });
      });
    });

    it('keeps single events of other users going while a change holds one user’s settings row, and stores that user’s after it', async () => {
      const [held, other] = [newUserId(), newUserId()];
      await setConsent(t, held);
      await setConsent(t, other);
      const { pending } = await withOpenTransaction('ROLLBACK', async (tx) => {
        // What a withdrawal or erasure holds while it deletes the user's events.
        await tx.query('SELECT 1 FROM user_privacy_settings WHERE user_id = $1 FOR UPDATE', [held]);
        // More of the held user's single events than the small-write path has statements in flight (2).
        let answered = 0;
        const waiting = Promise.all(
          Array.from({ length: 4 }, (_, i) =>
            post(interaction(held, { clientEventId: `held-${i}` })).then((res) => (answered++, res)),
          ),
        );
        await pause(300);
        const res = await post(interaction(other));
        expect(res.status).toBe(201);
        expect(answered).toBe(0);
        return { pending: waiting };
      });
      expect((await pending).map((res) => res.status)).toEqual([201, 201, 201, 201]);
      expect(await stored(held)).toHaveLength(4);
      expect(await stored(other)).toHaveLength(1);
    });

    it('sends a COPY-sized batch whose consent bucket a change holds through the row-locking path instead of waiting', async () => {
      const changing = newUserId();
      // Another user in the same consent bucket (the bucket is the uuid's last byte, modulo 32).
      const neighbour = `${newUserId().slice(0, 34)}${changing.slice(34)}`;
      await setConsent(t, neighbour);
      await withOpenTransaction('ROLLBACK', async (tx) => {
        await tx.query('SELECT learning_consent_change_lock($1::uuid)', [changing]);
        const res = await batch(Array.from({ length: 30 }, () => interaction(neighbour)));
        expect(res.body).toMatchObject({ accepted: 30 });
      });
      expect(await stored(neighbour)).toHaveLength(30);
    });

    it('stores the same columns through both write paths (multi-row INSERT and binary COPY)', async () => {
      const [small, large] = [newUserId(), newUserId()];
      await setConsent(t, small);
      await setConsent(t, large);
      const at = '2026-11-20T10:11:12.345Z';
      const mixed = (user: string, i: number) =>
        [
          {
            userId: user,
            eventType: 'feedback',
            context: { module: 'chat', action: 'answer', sessionId: `s-${i}`, tone: 'ünï' },
            data: { rating: 1 + (i % 5), sentiment: 'negative' },
            timestamp: at,
            clientEventId: `m-${i}`,
          },
          correction(user, `teh ${i}`, `the ${i}`, { timestamp: at }),
          interaction(user, { data: { outcome: 'abandoned' }, timestamp: at }),
          {
            userId: user,
            eventType: 'pattern_discovery',
            context: { module: 'editor', action: 'seq' },
            data: { patternType: 'seq', signature: 'a>b', items: ['a', 'b'] },
            timestamp: at,
          },
        ][i % 4];
      await batch(Array.from({ length: 4 }, (_, i) => mixed(small, i)));
      await batch(Array.from({ length: 40 }, (_, i) => mixed(large, i)));
      const columns =
        'event_type, module, action, session_id, client_event_id, timestamp, labels, rating, sentiment, outcome, signature, key_id IS NOT NULL AS keyed';
      const rows = async (user: string, n: number) =>
        (
          await pg.query(
            `SELECT ${columns} FROM global_learning_events WHERE user_id = $1 AND (client_event_id IS NULL OR client_event_id IN ('m-0')) ORDER BY event_type, module LIMIT $2`,
            [user, n],
          )
        ).rows;
      const viaArrays = await rows(small, 4);
      const viaCopy = await rows(large, 40);
      expect(viaArrays).toHaveLength(4);
      expect(viaCopy.length).toBeGreaterThan(4);
      const key = (r: Record<string, unknown>) => String(r.event_type);
      const firstOfType = (list: Record<string, unknown>[]) => Object.fromEntries(list.map((r) => [key(r), r]));
      const a = firstOfType(viaArrays);
      const c = firstOfType(viaCopy);
      // Correction signatures cover texts that differ by their index, so only their presence is compared.
      for (const type of ['feedback', 'correction', 'interaction', 'pattern_discovery']) {
        expect({ ...c[type], signature: typeof c[type].signature }).toEqual({
          ...a[type],
          signature: typeof a[type].signature,
        });
      }
      expect(a.feedback).toMatchObject({
        rating: 1,
        sentiment: 'negative',
        labels: { tone: 'ünï' },
        session_id: 's-0',
        timestamp: new Date(at),
      });
      expect(a.pattern_discovery.signature).toBe(c.pattern_discovery.signature);
    });

    it.each([
      ['2 events (multi-row INSERT)', 2, false],
      ['30 events (direct COPY)', 30, false],
      ['30 events, one a repeat (staged COPY)', 30, true],
    ])('stores all or nothing: a statement failing midway leaves none of %s', async (_, size, withRepeat) => {
      const user = newUserId();
      await setConsent(t, user);
      // A repeat of an id stored before makes the direct COPY fail with 23505 and hand the rows to the staged path.
      if (withRepeat) expect((await batch([interaction(user, { clientEventId: 'ok0' })])).body.accepted).toBe(1);
      const before = (await stored(user)).length;
      const events = [
        ...Array.from({ length: size - 1 }, (_, i) => interaction(user, { clientEventId: `ok${i}` })),
        interaction(user, { clientEventId: 'boom' }),
      ];
      await withInsertTrigger(
        pg,
        "IF NEW.client_event_id = 'boom' THEN RAISE EXCEPTION 'simulated crash'; END IF;",
        async () => {
          const res = await batch(events);
          expect(res.status).toBe(500);
          expect(await stored(user)).toHaveLength(before);
        },
      );
      const again = await batch(events);
      expect(again.body).toMatchObject({ accepted: size - before, duplicates: before });
    });

    it('refuses to check consent for a direct COPY outside READ COMMITTED (its fresh snapshot is the guarantee)', async () => {
      const user = newUserId();
      await setConsent(t, user);
      const tx = new Client({ connectionString: suite.db.url });
      await tx.connect();
      try {
        await tx.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        await expect(tx.query('SELECT learning_consent_held(ARRAY[$1::uuid])', [user])).rejects.toMatchObject({
          code: 'LC001',
        });
        await tx.query('ROLLBACK');
        await tx.query('BEGIN');
        await expect(tx.query('SELECT learning_consent_held(ARRAY[$1::uuid])', [user])).resolves.toBeDefined();
        await tx.query('ROLLBACK');
      } finally {
        await tx.end();
      }
    });
  });

  it('counts accepted, duplicate and rejected events in /metrics without user ids', async () => {
    const user = newUserId();
    await setConsent(t, user);
    await batch([
      interaction(user, { clientEventId: 'm1' }),
      interaction(user, { clientEventId: 'm1' }),
      interaction(newUserId()),
    ]);
    const metrics = await t.http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/learning_events_total\{event_type="interaction",outcome="accepted",reason=""\} \d+/);
    expect(metrics.text).toMatch(/learning_events_total\{event_type="interaction",outcome="duplicate",reason=""\} \d+/);
    expect(metrics.text).toMatch(
      /learning_events_total\{event_type="interaction",outcome="rejected",reason="CONSENT.REQUIRED"\} \d+/,
    );
    expect(metrics.text).toMatch(/learning_ingest_duration_seconds_bucket\{le="0.05",route="batch"\} \d+/);
    expect(metrics.text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i)).toBeNull();
  });
});
