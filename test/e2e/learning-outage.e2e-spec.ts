import { adminQuery } from '../setup/test-database';
import { newUserId } from '../support/ids';
import { interaction, setConsent } from '../support/learning';
import { useSuite } from '../support/suite';
import type { TestApp } from '../support/test-app';

describe('Learning events while the database is unreachable (e2e)', () => {
  const suite = useSuite();
  let t: TestApp;
  beforeAll(() => ({ t } = suite));
  afterAll(() => adminQuery(`ALTER DATABASE "${suite.db.name}" ALLOW_CONNECTIONS true`).catch(() => undefined));

  it('answers 503 retryable, and a retry with the same clientEventIds stores every event once', async () => {
    const user = newUserId();
    await setConsent(t, user);
    const auth = `Bearer ${t.token(user, ['user'])}`;
    const single = () =>
      t.http
        .post('/api/v1/learning/events')
        .set('authorization', auth)
        .send(interaction(undefined, { clientEventId: 'outage-1' }));
    const batch = () =>
      t.http
        .post('/api/v1/learning/events/batch')
        .set('authorization', auth)
        .send({
          events: Array.from({ length: 30 }, (_, i) => interaction(undefined, { clientEventId: `outage-b${i}` })),
        });
    expect(
      (await t.http.post('/api/v1/learning/events').set('authorization', auth).send(interaction(undefined))).status,
    ).toBe(201); // warm caches

    await adminQuery(`ALTER DATABASE "${suite.db.name}" ALLOW_CONNECTIONS false`);
    await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [suite.db.name]);
    for (const res of [await single(), await batch()]) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toMatchObject({ code: 'DATABASE.UNAVAILABLE', retryable: true });
    }

    await adminQuery(`ALTER DATABASE "${suite.db.name}" ALLOW_CONNECTIONS true`);
    let first = await single();
    for (let i = 0; i < 20 && first.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 250));
      first = await single();
    }
    expect(first.status).toBe(201);
    expect((await batch()).body).toMatchObject({ accepted: 30 });
    expect((await single()).body.status).toBe('duplicate');
    expect((await batch()).body).toMatchObject({ accepted: 0, duplicates: 30 });
    const list = await t.http.get('/api/v1/learning/events').set('authorization', auth).query({ limit: 100 });
    expect(list.body.items).toHaveLength(32);
  });
});
