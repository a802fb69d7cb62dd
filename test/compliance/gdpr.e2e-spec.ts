import { Client } from 'pg';
import { ConsentLedgerService } from '../../src/modules/consent/consent-ledger.service';
import { consentRecordHash } from '../../src/modules/consent/consent-chain';
import { newUserId } from '../support/ids';
import { correction, interaction, setConsent } from '../support/learning';
import { publicTables, scanAllTables } from '../support/table-scan';
import { useSuite, withInsertTrigger, type Suite } from '../support/suite';
import { withTestApps, type TestApp } from '../support/test-app';

/**
 * The GDPR scenarios of the compliance suite (`npm run test:compliance`), against real PostgreSQL: consent gates
 * storage, withdrawal purges, export is complete and decrypted, erasure leaves nothing that names the user, and
 * no user reaches another user's data.
 */
describe('Compliance: consent and data-subject rights (e2e)', () => {
  const suite = useSuite();
  let t: TestApp;
  let pg: Client;
  let db: Suite['db'];
  beforeAll(() => ({ t, pg, db } = suite));

  const as = (sub: string, roles: ('user' | 'service' | 'admin')[] = ['user']) => `Bearer ${t.token(sub, roles)}`;
  const admin = () => as('admin-ops', ['admin']);
  const send = (user: string, events: unknown[]) =>
    t.http.post('/api/v1/learning/events/batch').set('authorization', as(user)).send({ events });
  const rowsOf = async (user: string) =>
    (await pg.query('SELECT id FROM global_learning_events WHERE user_id = $1', [user])).rowCount;
  const auditActions = async (target: string) =>
    (await pg.query('SELECT action FROM audit_log WHERE target = $1 ORDER BY at, id', [target])).rows.map(
      (r) => r.action,
    );

  it('refuses events of a user who never consented, single and per item', async () => {
    const user = newUserId();
    const single = await t.http
      .post('/api/v1/learning/events')
      .set('authorization', as(user))
      .send(interaction(undefined));
    expect(single.status).toBe(403);
    expect(single.body).toMatchObject({ code: 'CONSENT.REQUIRED', status: 403 });
    const many = await send(user, [interaction(undefined), interaction(undefined)]);
    expect(many.body).toMatchObject({ accepted: 0, rejected: 2 });
    expect(await rowsOf(user)).toBe(0);
  });

  it('accepts events once the user consents', async () => {
    const user = newUserId();
    await t.http
      .put('/api/v1/consent/me')
      .set('authorization', as(user))
      .send({ allowCollectiveLearning: true, policyVersion: '1.0' })
      .expect(200);
    const res = await send(user, [interaction(undefined), interaction(undefined)]);
    expect(res.body.accepted).toBe(2);
    expect(await rowsOf(user)).toBe(2);
  });

  it('on withdrawal refuses at once, deletes the stored events in the same step, and audits it', async () => {
    const user = newUserId();
    await setConsent(t, user);
    await send(user, [interaction(undefined), interaction(undefined), interaction(undefined)]);
    const res = await t.http
      .put('/api/v1/consent/me')
      .set('authorization', as(user))
      .send({ allowCollectiveLearning: false, policyVersion: '1.0' });
    expect(res.status).toBe(200);
    expect(await rowsOf(user)).toBe(0);
    expect((await send(user, [interaction(undefined)])).body.rejected).toBe(1);
    const [entry] = (
      await pg.query("SELECT details FROM audit_log WHERE target = $1 AND action = 'consent.withdrawn'", [user])
    ).rows;
    expect(entry.details).toMatchObject({ action: 'delete', removed: { learningEvents: 3 } });
  });

  it.each([2, 40])(
    'leaves no event behind when a withdrawal lands while a batch of %i is being written',
    async (size) => {
      const user = newUserId();
      await setConsent(t, user);
      // A trigger holds the batch's insert statement open for 600 ms, so the withdrawal arrives mid-write.
      await withInsertTrigger(pg, "IF NEW.client_event_id = 'slow' THEN PERFORM pg_sleep(0.6); END IF;", async () => {
        const events = [
          interaction(undefined, { clientEventId: 'slow' }),
          ...Array.from({ length: size - 1 }, (_, i) => interaction(undefined, { clientEventId: `after-slow-${i}` })),
        ];
        const writing = send(user, events).then((r) => r); // supertest starts on then()
        await new Promise((r) => setTimeout(r, 200));
        const withdrawal = await t.http
          .put(`/api/v1/consent/${user}`)
          .set('authorization', as('svc', ['service']))
          .send({ allowCollectiveLearning: false, policyVersion: '1.0' });
        expect(withdrawal.status).toBe(200);
        expect((await writing).body).toMatchObject({ accepted: size });
        expect(await rowsOf(user)).toBe(0);
      });
    },
  );

  it('keeps events on withdrawal with CONSENT_WITHDRAWAL_ACTION=exclude, and still refuses new ones', async () => {
    const options = { databaseUrl: db.url, env: { CONSENT_WITHDRAWAL_ACTION: 'exclude' } };
    await withTestApps([options], async ([other]) => {
      const user = newUserId();
      const bearer = `Bearer ${other.token(user, ['user'])}`;
      await other.http
        .put('/api/v1/consent/me')
        .set('authorization', bearer)
        .send({ allowCollectiveLearning: true, policyVersion: '1.0' });
      await other.http
        .post('/api/v1/learning/events')
        .set('authorization', bearer)
        .send(interaction(undefined))
        .expect(201);
      await other.http
        .put('/api/v1/consent/me')
        .set('authorization', bearer)
        .send({ allowCollectiveLearning: false, policyVersion: '1.0' });
      expect(await rowsOf(user)).toBe(1);
      expect(
        (await other.http.post('/api/v1/learning/events').set('authorization', bearer).send(interaction(undefined)))
          .status,
      ).toBe(403);
    });
  });

  describe('export', () => {
    it('is one streamed JSON document with settings, consent history, every event decrypted and the audit entries', async () => {
      const user = newUserId();
      await setConsent(t, user);
      const sent = [
        interaction(undefined, { clientEventId: 'e1', data: { outcome: 'failure', secret: 'export-marker-1' } }),
        correction(user, 'teh', 'the'),
      ];
      const ids = (await send(user, sent)).body.results.map((r: { id: string }) => r.id);
      const res = await t.http
        .get('/api/v1/privacy/me/export')
        .set('authorization', as(user))
        .buffer(true)
        .parse((r, cb) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c.toString()));
          r.on('end', () => cb(null, text));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.headers['content-disposition']).toMatch(/attachment/);
      const doc = JSON.parse(res.body as string);
      expect(doc).toMatchObject({
        format: 'ai-learning-export/1',
        userId: user,
        settings: { allowCollectiveLearning: true, policyVersion: '2026-11' },
      });
      expect(doc.consentHistory).toEqual([
        expect.objectContaining({ granted: true, source: 'service', actor: 'svc-test' }),
      ]);
      expect(doc.learningEvents.map((e: { id: string }) => e.id)).toEqual(ids);
      expect(doc.learningEvents[0]).toMatchObject({
        eventType: 'interaction',
        clientEventId: 'e1',
        data: { outcome: 'failure', secret: 'export-marker-1' },
      });
      expect(doc.learningEvents[1].data).toEqual({ original: 'teh', corrected: 'the' });
      expect(doc.auditEntries.map((a: { action: string }) => a.action)).toContain('consent.granted');
      expect(await auditActions(t.app.get(ConsentLedgerService).pseudonym(user))).toContain('privacy.exported');
    });

    it('pages through many events in order', async () => {
      const user = newUserId();
      await setConsent(t, user);
      for (let i = 0; i < 3; i++)
        await send(
          user,
          Array.from({ length: 1000 }, (_, j) => interaction(undefined, { clientEventId: `p-${i}-${j}` })),
        );
      const res = await t.http.get(`/api/v1/privacy/users/${user}/export`).set('authorization', admin());
      const events = res.body.learningEvents as { id: string; clientEventId: string }[];
      expect(events).toHaveLength(3000);
      expect(new Set(events.map((e) => e.id)).size).toBe(3000);
      expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort());
    });
  });

  describe('erasure', () => {
    it('deletes events and settings, shreds the key, pseudonymizes the evidence, and leaves nothing naming the user', async () => {
      const user = newUserId();
      await setConsent(t, user);
      await send(user, [
        interaction(undefined, { data: { secret: 'erase-marker-7' } }),
        correction(user, 'erase-marker-8', 'fixed'),
      ]);
      await t.http.get('/api/v1/privacy/me/export').set('authorization', as(user)).expect(200);
      await t.http
        .put('/api/v1/consent/me')
        .set('authorization', as(user))
        .send({ allowCollectiveLearning: true, policyVersion: '1.1' })
        .expect(200);
      // A token that spells the id in upper case still leaves only the canonical spelling behind.
      await t.http
        .put('/api/v1/consent/me')
        .set('authorization', as(user.toUpperCase()))
        .send({ allowCollectiveLearning: true, policyVersion: '1.2' })
        .expect(200);
      const before = (
        await pg.query('SELECT hash FROM consent_records WHERE subject = $1 ORDER BY recorded_at, id', [user])
      ).rows.map((r) => r.hash);

      const res = await t.http.delete('/api/v1/privacy/me').set('authorization', as(user));
      expect(res.status).toBe(200);
      const pseudonym = t.app.get(ConsentLedgerService).pseudonym(user);
      expect(res.body).toEqual({
        erasureId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        erasedAt: expect.any(String),
        subject: pseudonym,
        counts: {
          learningEvents: 2,
          privacySettings: 1,
          dataKeys: 1,
          consentRecordsPseudonymized: 3,
          auditEntriesPseudonymized: expect.any(Number),
        },
      });
      expect(res.body.counts.auditEntriesPseudonymized).toBeGreaterThanOrEqual(3);

      // Still-valid tokens used after the erasure write nothing that names the user.
      await t.http.get('/api/v1/privacy/me/export').set('authorization', as(user)).expect(200);
      await t.http.get(`/api/v1/privacy/users/${user}/export`).set('authorization', admin()).expect(200);
      const tables = await publicTables(pg);
      expect(tables).toEqual(
        expect.arrayContaining([
          'global_learning_events',
          'user_privacy_settings',
          'consent_records',
          'audit_log',
          'user_data_keys',
          'privacy_erasures',
        ]),
      );
      expect(await scanAllTables(pg, [user, 'erase-marker-7', 'erase-marker-8'])).toEqual([]);

      // The ledger survives under the pseudonym, its chain intact.
      const kept = (
        await pg.query('SELECT * FROM consent_records WHERE subject = $1 ORDER BY recorded_at, id', [pseudonym])
      ).rows;
      expect(kept.map((r) => r.hash)).toEqual(before);
      let prev: string | null = null;
      for (const r of kept) {
        expect(r.hash).toBe(
          consentRecordHash(prev, {
            pseudonym,
            purpose: r.purpose,
            granted: r.granted,
            policyVersion: r.policy_version,
            source: r.source,
            actor: r.actor,
            recordedAt: r.recorded_at,
          }),
        );
        prev = r.hash;
      }
      expect(await auditActions(pseudonym)).toEqual(
        expect.arrayContaining(['consent.granted', 'privacy.exported', 'privacy.erased']),
      );
      // Gone for the API too: no consent, no events.
      expect((await t.http.get('/api/v1/consent/me').set('authorization', as(user))).body.allowCollectiveLearning).toBe(
        false,
      );
      expect((await t.http.get('/api/v1/learning/events').set('authorization', as(user))).body.items).toEqual([]);
    });

    it.each([1, 40])(
      'leaves nothing behind when it lands while a batch of %i of the user is being written',
      async (size) => {
        const user = newUserId();
        await setConsent(t, user);
        await withInsertTrigger(
          pg,
          "IF NEW.client_event_id = 'slow-e' THEN PERFORM pg_sleep(0.6); END IF;",
          async () => {
            const events = [
              interaction(undefined, { clientEventId: 'slow-e', data: { secret: 'race-marker-9' } }),
              ...Array.from({ length: size - 1 }, (_, i) => interaction(undefined, { clientEventId: `e-${i}` })),
            ];
            const writing = send(user, events).then((r) => r);
            await new Promise((r) => setTimeout(r, 200));
            const erased = await t.http.delete(`/api/v1/privacy/users/${user}`).set('authorization', admin());
            expect(erased.status).toBe(200);
            expect((await writing).body.accepted).toBe(size);
            expect(erased.body.counts.learningEvents).toBe(size);
          },
        );
        expect(await scanAllTables(pg, [user, 'race-marker-9'])).toEqual([]);
      },
    );

    it('leaves nothing behind when another instance, not yet told, receives the erased user’s events', async () => {
      // Its data-key cache expires quickly, so the late write looks the key up and would create a new one.
      const options = { databaseUrl: db.url, env: { DATA_KEY_CACHE_TTL_SECONDS: '1' } };
      await withTestApps([options], async ([other]) => {
        const user = newUserId();
        await setConsent(t, user);
        const sendOther = () =>
          other.http
            .post('/api/v1/learning/events')
            .set('authorization', `Bearer ${other.token(user, ['user'])}`)
            .send(interaction(undefined));
        expect((await sendOther()).status).toBe(201); // the other instance now caches the consent
        expect((await t.http.delete(`/api/v1/privacy/users/${user}`).set('authorization', admin())).status).toBe(200);
        await new Promise((r) => setTimeout(r, 1_100));
        const late = await sendOther();
        expect(late.status).toBe(403);
        expect(await scanAllTables(pg, [user])).toEqual([]);
      });
    });

    it('is harmless to repeat, and works for admins on a user’s behalf', async () => {
      const user = newUserId();
      await setConsent(t, user);
      await send(user, [interaction(undefined)]);
      const first = await t.http.delete(`/api/v1/privacy/users/${user}`).set('authorization', admin());
      expect(first.status).toBe(200);
      expect(first.body.counts).toMatchObject({ learningEvents: 1, privacySettings: 1, dataKeys: 1 });
      const again = await t.http.delete(`/api/v1/privacy/users/${user}`).set('authorization', admin());
      expect(again.status).toBe(200);
      expect(again.body.counts).toEqual({
        learningEvents: 0,
        privacySettings: 0,
        dataKeys: 0,
        consentRecordsPseudonymized: 0,
        auditEntriesPseudonymized: 0,
      });
      expect(again.body.subject).toBe(first.body.subject);
      const receipts = await pg.query('SELECT requested_by, source FROM privacy_erasures WHERE subject = $1', [
        first.body.subject,
      ]);
      expect(receipts.rows).toEqual([
        { requested_by: 'admin-ops', source: 'admin' },
        { requested_by: 'admin-ops', source: 'admin' },
      ]);
      expect(await scanAllTables(pg, [user])).toEqual([]);
    });
  });

  describe('no user reaches another user', () => {
    let alice: string;
    let bob: string;
    beforeAll(async () => {
      [alice, bob] = [newUserId(), newUserId()];
      await setConsent(t, alice);
      await setConsent(t, bob);
      await send(bob, [interaction(undefined, { data: { secret: 'bob-only' } })]);
    });

    it.each([
      [
        'read events',
        () => t.http.get('/api/v1/learning/events').query({ userId: bob }).set('authorization', as(alice)),
        403,
      ],
      [
        'send events',
        () => t.http.post('/api/v1/learning/events').set('authorization', as(alice)).send(interaction(bob)),
        403,
      ],
      ['read consent', () => t.http.get(`/api/v1/consent/${bob}`).set('authorization', as(alice)), 403],
      [
        'change consent',
        () =>
          t.http
            .put(`/api/v1/consent/${bob}`)
            .set('authorization', as(alice))
            .send({ allowCollectiveLearning: false, policyVersion: '1' }),
        403,
      ],
      ['export', () => t.http.get(`/api/v1/privacy/users/${bob}/export`).set('authorization', as(alice)), 403],
      ['erase', () => t.http.delete(`/api/v1/privacy/users/${bob}`).set('authorization', as(alice)), 403],
      [
        'export as a service',
        () => t.http.get(`/api/v1/privacy/users/${bob}/export`).set('authorization', as('svc', ['service'])),
        403,
      ],
    ])('cannot %s', async (_what, call, status) => {
      const res = await call();
      expect(res.status).toBe(status);
      expect(JSON.stringify(res.body)).not.toContain('bob-only');
      expect(await rowsOf(bob)).toBe(1);
      expect(
        (await t.http.get(`/api/v1/consent/${bob}`).set('authorization', admin())).body.allowCollectiveLearning,
      ).toBe(true);
    });

    it('sees only their own events and export', async () => {
      await send(alice, [interaction(undefined)]);
      const list = await t.http.get('/api/v1/learning/events').set('authorization', as(alice));
      expect(list.body.items.map((e: { userId: string }) => e.userId)).toEqual([alice]);
      const exported = await t.http.get('/api/v1/privacy/me/export').set('authorization', as(alice));
      expect(JSON.stringify(exported.body)).not.toContain(bob);
    });
  });

  it('reports the consent rate, withdrawals, exports and erasures as metrics', async () => {
    const text = (await t.http.get('/metrics')).text;
    expect(text).toMatch(/^consent_rate \d(\.\d+)?$/m);
    expect(text).toMatch(/^consent_users\{state="consenting"\} \d+$/m);
    expect(text).toMatch(/^consent_withdrawals_total\{source="user"\} [1-9]\d*$/m);
    expect(text).toMatch(/^privacy_exports_total\{requested_by="self",outcome="success"\} [1-9]\d*$/m);
    expect(text).toMatch(/^privacy_erasures_total\{requested_by="admin"\} [1-9]\d*$/m);
  });
});
