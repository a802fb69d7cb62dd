import { newUserId } from '../support/ids';
import { interaction, setConsent } from '../support/learning';
import { redisModes } from '../support/redis-modes';
import { useSuiteApps } from '../support/suite';
import type { TestApp } from '../support/test-app';

const QUOTA_EVENTS = 5;
const QUOTA_BYTES = 16 * 1024;

/**
 * The per-user bound on event volume: LEARNING_USER_QUOTA_EVENTS events and LEARNING_USER_QUOTA_BYTES bytes of
 * `data` per user and window, whoever sends them; 429 with Retry-After past it, other users unaffected.
 */
describe.each(redisModes('shared through Redis by two instances'))(
  'Per-user event quota, $mode (e2e)',
  ({ redisUrl }) => {
    const env = {
      REDIS_URL: redisUrl,
      LEARNING_USER_QUOTA_EVENTS: String(QUOTA_EVENTS),
      LEARNING_USER_QUOTA_BYTES: String(QUOTA_BYTES),
      LEARNING_USER_QUOTA_WINDOW_SECONDS: '3600',
      THROTTLE_LIMIT: '100000',
    };
    // Without Redis each instance counts alone: the second app is only booted when the count is shared.
    const suite = useSuiteApps(redisUrl ? [{ env }, { env }] : [{ env }]);
    let a: TestApp;
    let b: TestApp;
    beforeAll(() => ([a, b = a] = suite.apps));

    const service = (t: TestApp) => `Bearer ${t.token('svc-quota', ['service'])}`;
    const send = (t: TestApp, event: Record<string, unknown>) =>
      t.http
        .post('/api/v1/learning/events')
        .set('authorization', service(t))
        .send(event)
        .then((r) => r);
    const sendBatch = (t: TestApp, events: Record<string, unknown>[]) =>
      t.http
        .post('/api/v1/learning/events/batch')
        .set('authorization', service(t))
        .send({ events })
        .then((r) => r);
    const count = async (user: string) =>
      Number(
        (await suite.pg.query('SELECT count(*) AS n FROM global_learning_events WHERE user_id = $1', [user])).rows[0].n,
      );

    it('answers 429 problem+json with Retry-After once a user’s events reach the quota, across instances', async () => {
      const user = newUserId();
      const other = newUserId();
      await setConsent(a, user);
      await setConsent(a, other);
      const statuses: number[] = [];
      for (let i = 0; i < QUOTA_EVENTS; i++) statuses.push((await send(i % 2 === 0 ? a : b, interaction(user))).status);
      expect(statuses).toEqual(statuses.map(() => 201));
      const over = await send(b, interaction(user));
      expect(over.status).toBe(429);
      expect(over.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(over.body).toMatchObject({ code: 'LEARNING.QUOTA_EXCEEDED', status: 429, retryable: true });
      const retryAfter = Number(over.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      // Whoever sends them: the user's own token counts against the same quota.
      const own = await a.http
        .post('/api/v1/learning/events')
        .set('authorization', `Bearer ${a.token(user, ['user'])}`)
        .send(interaction(undefined));
      expect(own.status).toBe(429);
      expect(await count(user)).toBe(QUOTA_EVENTS);
      expect((await send(a, interaction(other))).status).toBe(201);
    });

    it('admits exactly the quota when one user’s requests race on every instance', async () => {
      const user = newUserId();
      await setConsent(a, user);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? a : b, interaction(user))),
      );
      expect(answers.filter((r) => r.status === 201)).toHaveLength(QUOTA_EVENTS);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(20 - QUOTA_EVENTS);
      expect(await count(user)).toBe(QUOTA_EVENTS);
    });

    it('refuses a batch’s items past the quota one by one, keeps the others, and sets Retry-After', async () => {
      const [heavy, light] = [newUserId(), newUserId()];
      await setConsent(a, heavy);
      await setConsent(a, light);
      const res = await sendBatch(a, [
        ...Array.from({ length: 8 }, () => interaction(heavy)),
        interaction(light),
        interaction(light),
      ]);
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: { status: string }) => r.status)).toEqual([
        ...Array(5).fill('accepted'),
        ...Array(3).fill('rejected'),
        'accepted',
        'accepted',
      ]);
      expect(res.body.results[5].error).toMatchObject({
        code: 'LEARNING.QUOTA_EXCEEDED',
        status: 429,
        retryAfterSeconds: expect.any(Number),
      });
      expect(Number(res.headers['retry-after'])).toBe(res.body.results[5].error.retryAfterSeconds);
      expect(await count(heavy)).toBe(5);
    });

    it('bounds the bytes of data as well as the count', async () => {
      const user = newUserId();
      await setConsent(a, user);
      const big = () => interaction(user, { data: { outcome: 'success', note: 'x'.repeat(6000) } });
      const answers = [await send(a, big()), await send(b, big()), await send(a, big())];
      expect(answers.map((r) => r.status)).toEqual([201, 201, 429]); // 3 × ~6 KB passes 16 KiB
      expect((await send(b, interaction(user))).status).toBe(201); // a small one still fits
    });

    it('counts stored events only: refusals and duplicates give their share back, and a retry past the quota is still answered', async () => {
      const user = newUserId();
      await setConsent(a, user);
      const first = await send(a, interaction(user, { clientEventId: 'q-1' }));
      expect(first.status).toBe(201);
      for (let i = 0; i < 3; i++) expect((await send(b, interaction(user, { clientEventId: 'q-1' }))).status).toBe(200); // duplicates
      const rest = await sendBatch(
        a,
        Array.from({ length: QUOTA_EVENTS - 1 }, (_, i) => interaction(user, { clientEventId: `q-${i + 2}` })),
      );
      expect(rest.body.accepted).toBe(QUOTA_EVENTS - 1);
      // The quota is used up: a retry of a stored event is still its duplicate (200), a new one is refused.
      const retry = await send(b, interaction(user, { clientEventId: 'q-3' }));
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual({ id: rest.body.results[1].id, status: 'duplicate' });
      expect((await send(a, interaction(user, { clientEventId: 'q-new' }))).status).toBe(429);
      // A user without consent spends nothing.
      const stranger = newUserId();
      for (let i = 0; i < QUOTA_EVENTS + 2; i++) expect((await send(a, interaction(stranger))).status).toBe(403);
      await setConsent(a, stranger);
      expect((await send(b, interaction(stranger))).status).toBe(201);
    });
  },
);
