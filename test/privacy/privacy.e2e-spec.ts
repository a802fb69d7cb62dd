import type { Response } from 'supertest';
import { Client } from 'pg';
import { ApiClientsService } from '../../src/modules/auth/api-clients.service';
import { createSuiteDatabase } from '../setup/test-database';
import { newUserId } from '../support/ids';
import { correction, interaction } from '../support/learning';
import { scanAllTables } from '../support/table-scan';
import { createTestApp, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, type TestApp } from '../support/test-app';

const MARKERS = [
  'pv-marker-data-41',
  'pv-marker-original-42',
  'pv-marker-corrected-43',
  'pv-marker-comment-44',
  'pv-marker-invalid-45',
];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Privacy properties of the whole system (`npm run test:privacy`), checked while a scenario exercises every
 * feature at debug log level: no payload, token, secret or key material in any log line; no user id as a metric
 * label; every column holding event data is ciphertext; error responses carry no stored data. Later features add
 * their steps to the scenario.
 */
describe('Privacy properties across the system (e2e)', () => {
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  let t: TestApp;
  let pg: Client;
  const logs: string[] = [];
  const responses: { what: string; res: Response }[] = [];
  const secrets: string[] = [TEST_JWT_SECRET, TEST_ENCRYPTION_KEY];
  const users = [newUserId(), newUserId(), newUserId(), newUserId()];
  let metricsText = '';
  /** Taken right after the events were written, before erasure and withdrawal remove some of them. */
  let scanAfterWrite: Awaited<ReturnType<typeof scanAllTables>> = [];
  let payloadsAfterWrite: Buffer[] = [];

  beforeAll(async () => {
    db = await createSuiteDatabase();
    // Everything the process writes while the app boots and the scenario runs (the app logs to these streams).
    const spies = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        logs.push(chunk.toString());
        return true;
      }),
    );
    try {
      t = await createTestApp({
        databaseUrl: db.url,
        env: { LOG_LEVEL: 'debug', LOG_FORMAT: 'json', REDIS_URL: process.env.REDIS_URL ?? '' },
      });
      pg = new Client({ connectionString: db.url });
      await pg.connect();
      await runScenario();
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });
  afterAll(async () => {
    await pg?.end();
    await t?.close();
    await db?.drop();
  });

  async function record(what: string, call: PromiseLike<Response>): Promise<Response> {
    const res = await call;
    responses.push({ what, res });
    return res;
  }

  /** Every feature once, with the markers in the places users put sensitive text. */
  async function runScenario(): Promise<void> {
    const client = await t.app.get(ApiClientsService).create('privacy-client', ['service']);
    secrets.push(client.secret);
    const token = (
      await record(
        'token',
        t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: client.secret }),
      )
    ).body.accessToken as string;
    secrets.push(token);
    await record(
      'bad secret',
      t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: 'pv-wrong-secret-46' }),
    );
    secrets.push('pv-wrong-secret-46');
    const svc = `Bearer ${token}`;
    const [alice, bob, carol, dave] = users;
    const userToken = t.token(alice, ['user']);
    secrets.push(userToken);
    for (const u of [alice, bob, dave]) {
      await record(
        'consent',
        t.http
          .put(`/api/v1/consent/${u}`)
          .set('authorization', svc)
          .send({ allowCollectiveLearning: true, policyVersion: '1' }),
      );
    }
    await record(
      'single',
      t.http
        .post('/api/v1/learning/events')
        .set('authorization', `Bearer ${userToken}`)
        .send(interaction(undefined, { data: { note: MARKERS[0] } })),
    );
    await record(
      'batch',
      t.http
        .post('/api/v1/learning/events/batch')
        .set('authorization', svc)
        .send({
          events: [
            correction(alice, MARKERS[1], MARKERS[2]),
            {
              userId: bob,
              eventType: 'feedback',
              context: { module: 'chat', action: 'answer' },
              data: { rating: 2, comment: MARKERS[3] },
            },
            interaction(carol, { data: { note: MARKERS[0] } }),
            interaction(dave, {
              data: { note: MARKERS[0] },
              context: { module: 'editor', action: 'open', sessionId: 's-9' },
            }),
            interaction(bob, { data: { note: MARKERS[4], durationMs: MARKERS[4] } }),
          ],
        }),
    );
    scanAfterWrite = await scanAllTables(pg, MARKERS);
    payloadsAfterWrite = (await pg.query<{ payload: Buffer }>('SELECT payload FROM global_learning_events')).rows.map(
      (r) => r.payload,
    );
    // Invalid input that carries a marker: the answer must name the field, never echo the value.
    await record(
      'invalid single',
      t.http
        .post('/api/v1/learning/events')
        .set('authorization', svc)
        .send({ ...correction(alice, MARKERS[4], MARKERS[4]) }),
    );
    await record(
      'bad type',
      t.http
        .post('/api/v1/learning/events')
        .set('authorization', svc)
        .send({ userId: bob, eventType: MARKERS[4], context: { module: 'm', action: 'a' }, data: {} }),
    );
    await record(
      'unknown field',
      t.http
        .post('/api/v1/learning/events')
        .set('authorization', svc)
        .send({ ...interaction(bob), extraField: MARKERS[4] }),
    );
    await record(
      'malformed json',
      t.http
        .post('/api/v1/learning/events')
        .set('authorization', svc)
        .set('content-type', 'application/json')
        .send(`{"data":"${MARKERS[4]}"`),
    );
    await record(
      'no consent',
      t.http
        .post('/api/v1/learning/events')
        .set('authorization', svc)
        .send(interaction(carol, { data: { note: MARKERS[4] } })),
    );
    await record(
      'foreign',
      t.http.get('/api/v1/learning/events').query({ userId: bob }).set('authorization', `Bearer ${userToken}`),
    );
    await record(
      'bad cursor',
      t.http.get('/api/v1/learning/events').query({ cursor: MARKERS[4] }).set('authorization', `Bearer ${userToken}`),
    );
    await record('list', t.http.get('/api/v1/learning/events').set('authorization', `Bearer ${userToken}`));
    await record('export', t.http.get('/api/v1/privacy/me/export').set('authorization', `Bearer ${userToken}`));
    await record(
      'withdraw',
      t.http
        .put('/api/v1/consent/me')
        .set('authorization', `Bearer ${t.token(bob, ['user'])}`)
        .send({ allowCollectiveLearning: false, policyVersion: '1' }),
    );
    await record(
      'erase',
      t.http.delete(`/api/v1/privacy/users/${alice}`).set('authorization', `Bearer ${t.token('pv-admin', ['admin'])}`),
    );
    await record('read erased', t.http.get('/api/v1/learning/events').set('authorization', `Bearer ${userToken}`));
    metricsText = (await record('metrics', t.http.get('/metrics'))).text;
  }

  it('ran the scenario with logging on', () => {
    expect(responses.length).toBeGreaterThan(15);
    expect(logs.join('').length).toBeGreaterThan(1000);
    expect(responses.find((r) => r.what === 'batch')?.res.body.accepted).toBe(3);
  });

  it('writes no payload, token, secret or key material in any log line', () => {
    const all = logs.join('');
    for (const needle of [...MARKERS, ...secrets])
      expect({ needle, found: all.includes(needle) }).toEqual({ needle, found: false });
    expect(all.toLowerCase()).not.toContain('bearer ');
  });

  it('uses no user id as a metric label', () => {
    expect(metricsText).toContain('learning_events_total');
    for (const u of users) expect(metricsText).not.toContain(u);
    expect(metricsText.match(UUID)).toBeNull();
  });

  it('stores event data only as ciphertext: no table holds a marker, before or after erasure and withdrawal', async () => {
    expect(payloadsAfterWrite).toHaveLength(4); // alice's single event and correction, bob's feedback, dave's interaction
    for (const payload of payloadsAfterWrite) expect(payload[0]).toBe(0x01); // the envelope's version byte
    expect(scanAfterWrite).toEqual([]);
    expect(await scanAllTables(pg, MARKERS)).toEqual([]);
  });

  it('answers errors without stored data or echoed values', () => {
    const errors = responses.filter((r) => r.res.status >= 400);
    expect(errors.map((e) => e.what).sort()).toEqual(
      [
        'bad cursor',
        'bad secret',
        'bad type',
        'foreign',
        'invalid single',
        'malformed json',
        'no consent',
        'unknown field',
      ].sort(),
    );
    for (const { what, res } of errors) {
      const text = res.text;
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      for (const needle of [...MARKERS, ...secrets])
        expect({ what, needle, found: text.includes(needle) }).toEqual({ what, needle, found: false });
    }
    const rejected = responses
      .find((r) => r.what === 'batch')!
      .res.body.results.filter((r: { status: string }) => r.status === 'rejected');
    expect(JSON.stringify(rejected)).not.toContain(MARKERS[4]);
  });
});
