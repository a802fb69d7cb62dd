import { newUserId } from '../support/ids';
import { interaction, setConsent } from '../support/learning';
import { redisModes } from '../support/redis-modes';
import { useSuiteApps, withInsertTrigger } from '../support/suite';
import type { TestApp } from '../support/test-app';

/**
 * An instance that cached a user's data key must never seal new events under it once another instance has shredded
 * it (an erasure) and the user has consented again: those events would be stored and answered 201, and then be
 * unreadable by their owner. Two apps share one database; caches live an hour, so only the write path's key check
 * (and, with Redis, the eviction message) can tell instance A its key is gone.
 */
describe.each(redisModes('with Redis'))('Stale data keys across instances, $mode (e2e)', ({ redisUrl }) => {
  const env = {
    REDIS_URL: redisUrl,
    DATA_KEY_CACHE_TTL_SECONDS: '3600',
    CONSENT_CACHE_TTL_SECONDS: '3600',
    THROTTLE_LIMIT: '100000',
  };
  const suite = useSuiteApps([{ env }, { env }]);
  let a: TestApp;
  let b: TestApp;
  beforeAll(() => ([a, b] = suite.apps));

  const bearer = (t: TestApp, sub: string, roles: ('user' | 'service')[]) => `Bearer ${t.token(sub, roles)}`;
  const send = (t: TestApp, user: string, i: number) =>
    t.http
      .post('/api/v1/learning/events')
      .set('authorization', bearer(t, 'svc-stale', ['service']))
      .send(interaction(user, { data: { outcome: 'success', n: i } }));
  const sendBatch = (t: TestApp, user: string, from: number, count: number) =>
    t.http
      .post('/api/v1/learning/events/batch')
      .set('authorization', bearer(t, 'svc-stale', ['service']))
      .send({
        events: Array.from({ length: count }, (_, i) =>
          interaction(user, { data: { outcome: 'success', n: from + i } }),
        ),
      });
  const erase = async (t: TestApp, user: string) => {
    const res = await t.http.delete('/api/v1/privacy/me').set('authorization', bearer(t, user, ['user']));
    expect(res.status).toBe(200);
  };
  /** Every event the owner can list, with its data; null data means it was sealed under a key that is gone. */
  const ownerView = async (t: TestApp, user: string) => {
    const res = await t.http.get('/api/v1/learning/events?limit=200').set('authorization', bearer(t, user, ['user']));
    expect(res.status).toBe(200);
    return res.body.items as { id: string; data: Record<string, unknown> | null }[];
  };
  /** Stored events of the user whose key id is not the user's stored key. */
  const orphans = async (user: string) =>
    Number(
      (
        await suite.pg.query(
          `SELECT count(*) AS n FROM global_learning_events e LEFT JOIN user_data_keys k ON k.user_id = e.user_id AND k.key_id = e.key_id
            WHERE e.user_id = $1 AND k.user_id IS NULL`,
          [user],
        )
      ).rows[0].n,
    );

  it('seals a single event and a batch under the current key after an erasure and re-consent on another instance', async () => {
    const user = newUserId();
    await setConsent(b, user);
    expect((await send(a, user, 0)).status).toBe(201); // A now caches the user's first key
    await erase(b, user);
    await setConsent(b, user);
    const single = await send(a, user, 1);
    const batch = await sendBatch(a, user, 2, 20); // more than one statement's worth: the direct COPY path
    expect(single.status).toBe(201);
    expect(batch.status).toBe(200);
    expect(batch.body.accepted).toBe(20);
    expect(await orphans(user)).toBe(0);
    for (const t of [a, b]) {
      const items = await ownerView(t, user);
      expect(items).toHaveLength(21);
      expect(items.filter((e) => e.data === null)).toEqual([]);
    }
  });

  it('seals again an event that was sealed before the erasure and stored after it', async () => {
    const user = newUserId();
    const others = [newUserId(), newUserId()];
    await Promise.all([user, ...others].map((u) => setConsent(b, u)));
    expect((await send(a, user, 0)).status).toBe(201); // A caches the user's first key
    const held = await withInsertTrigger(
      suite.pg,
      `IF NEW.client_event_id LIKE 'hold-%' THEN PERFORM pg_sleep(2); END IF;`,
      async () => {
        // Two slow writes of other users take A's two small-write slots: the next single event is sealed at once and
        // then waits in the queue, the window in which another instance erases the user and the user consents again.
        const slow = others.map(
          (u, i) =>
            a.http
              .post('/api/v1/learning/events')
              .set('authorization', bearer(a, 'svc-stale', ['service']))
              .send(interaction(u, { clientEventId: `hold-${i}` }))
              .then((r) => r), // supertest sends when awaited: start it now
        );
        await new Promise((r) => setTimeout(r, 300));
        const queued = send(a, user, 1).then((r) => r);
        await new Promise((r) => setTimeout(r, 100));
        await erase(b, user);
        await setConsent(b, user);
        return Promise.all([queued, ...slow]);
      },
    );
    expect(held.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(await orphans(user)).toBe(0);
    const items = await ownerView(a, user);
    expect(items.map((e) => e.data)).toEqual([expect.objectContaining({ n: 1 })]);
  });
});
