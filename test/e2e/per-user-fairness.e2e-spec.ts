import type { Role } from '../../src/common/auth/auth-user';
import { newUserId } from '../support/ids';
import { interaction, setConsent } from '../support/learning';
import { useSuite } from '../support/suite';
import { createTestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/**
 * One user's copies of a long request must not take the pool from everyone else: with a pool of 4, 40 parallel
 * erasures (or withdrawals, or exports) by one user leave readiness up and another user served promptly.
 */
describe('Per-user fairness: long per-user requests and a small pool (e2e)', () => {
  const suite = useSuite({
    env: { DATABASE_POOL_MAX: '4', THROTTLE_LIMIT: '100000' },
  });
  const bearer = (sub: string, roles: Role[] = ['user']) => `Bearer ${suite.t.token(sub, roles)}`;

  /** While one user's burst ran: readiness stayed up, another user was served within a second, nothing was a 5xx. */
  function expectOthersServed(burst: Awaited<ReturnType<typeof underBurst>>): void {
    expect(burst.ready).toEqual({ status: 200, body: null });
    expect(burst.served).toBe(200);
    expect(burst.otherMs).toBeLessThan(1000);
    expect(burst.answers.map((a) => a.status).filter((s) => s >= 500)).toEqual([]);
  }

  /** A new consenting user with one stored event. */
  async function userWithAnEvent(): Promise<string> {
    const user = newUserId();
    await setConsent(suite.t, user);
    await suite.t.http
      .post('/api/v1/learning/events')
      .set('authorization', bearer(user))
      .send(interaction(user))
      .expect(201);
    return user;
  }

  /** Fires `burst` copies at once and, while they run, checks readiness and another user's consent change. */
  async function underBurst(burst: () => Promise<{ status: number; body: Record<string, unknown> }>[]) {
    const other = newUserId();
    const started = burst();
    const t0 = performance.now();
    const ready = await suite.t.http.get('/health/ready');
    const served = await suite.t.http
      .put('/api/v1/consent/me')
      .set('authorization', bearer(other))
      .send({ allowCollectiveLearning: true, policyVersion: 'v1' });
    const otherMs = performance.now() - t0;
    const answers = await Promise.all(started);
    return {
      ready: { status: ready.status, body: ready.status === 200 ? null : ready.body },
      served: served.status,
      otherMs,
      answers,
    };
  }

  it('40 parallel erasures by one user: readiness stays 200, another user is served in under a second, no 5xx', async () => {
    const user = await userWithAnEvent();
    const burst = await underBurst(() =>
      Array.from({ length: 40 }, () =>
        suite.t.http
          .delete('/api/v1/privacy/me')
          .set('authorization', bearer(user))
          .then((r) => r),
      ),
    );
    expectOthersServed(burst);
    const { answers } = burst;
    const statuses = answers.map((a) => a.status);
    expect(statuses).toContain(200);
    for (const refused of answers.filter((a) => a.status === 409))
      expect(refused.body).toMatchObject({ code: 'PRIVACY.IN_PROGRESS', retryable: true });
    // The user is gone: nothing of theirs is left.
    const left = await suite.pg.query('SELECT count(*)::int AS n FROM global_learning_events WHERE user_id = $1', [
      user,
    ]);
    expect(left.rows[0].n).toBe(0);
  });

  it('40 parallel withdrawals by one user wait in memory, not on the pool: no 5xx, another user served promptly', async () => {
    const user = newUserId();
    await setConsent(suite.t, user);
    const burst = await underBurst(() =>
      Array.from({ length: 40 }, (_, i) =>
        suite.t.http
          .put('/api/v1/consent/me')
          .set('authorization', bearer(user))
          .send({ allowCollectiveLearning: i % 2 === 1, policyVersion: 'v1' })
          .then((r) => r),
      ),
    );
    expectOthersServed(burst);
    const { answers } = burst;
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    for (const refused of answers.filter((a) => a.status === 409))
      expect(refused.body).toMatchObject({ code: 'CONSENT.CHANGE_IN_PROGRESS', retryable: true });
  });

  it('runs one export per user at a time: a second one while the first streams is 409 before any byte', async () => {
    const user = await userWithAnEvent();
    // The first export waits on the events table (locked here) while it holds the user's slot.
    await suite.pg.query('BEGIN');
    await suite.pg.query('LOCK TABLE global_learning_events IN ACCESS EXCLUSIVE MODE');
    let first: Promise<{ status: number }>;
    try {
      first = suite.t.http
        .get('/api/v1/privacy/me/export')
        .set('authorization', bearer(user))
        .then((r) => r);
      await waitFor(
        async () =>
          (
            await suite.pg.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%global_learning_events%'`,
            )
          ).rows[0].n,
        (n) => n > 0,
        5_000,
        20,
      );
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          suite.t.http
            .get('/api/v1/privacy/me/export')
            .set('authorization', bearer(user))
            .then((r) => r),
        ),
      );
      for (const refused of answers) {
        expect(refused.status).toBe(409);
        expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(refused.body).toMatchObject({ code: 'PRIVACY.IN_PROGRESS', retryable: true });
      }
    } finally {
      await suite.pg.query('COMMIT');
    }
    expect((await first).status).toBe(200);
    const after = await suite.t.http.get('/api/v1/privacy/me/export').set('authorization', bearer(user));
    expect(after.status).toBe(200);
  });

  it('runs one erasure per user across instances: another instance answers 409 while the first one is in its transaction', async () => {
    const user = await userWithAnEvent();
    const other = await createTestApp({ databaseUrl: suite.db.url, env: { THROTTLE_LIMIT: '100000' } });
    try {
      await withDeleteDelay(user, async () => {
        const first = suite.t.http
          .delete('/api/v1/privacy/me')
          .set('authorization', bearer(user))
          .then((r) => r);
        await new Promise((r) => setTimeout(r, 300));
        const second = await other.http
          .delete('/api/v1/privacy/me')
          .set('authorization', `Bearer ${other.token(user, ['user'])}`);
        expect(second.status).toBe(409);
        expect(second.body).toMatchObject({ code: 'PRIVACY.IN_PROGRESS', retryable: true });
        expect((await first).status).toBe(200);
      });
      // Once the first has committed, the other instance erases (again: nothing is left) without refusal.
      expect(
        (await other.http.delete('/api/v1/privacy/me').set('authorization', `Bearer ${other.token(user, ['user'])}`))
          .status,
      ).toBe(200);
    } finally {
      await other.close();
    }
  });

  /** Deleting the user's events sleeps 1.5 s, so an erasure of that user stays in its transaction that long. */
  async function withDeleteDelay(user: string, work: () => Promise<void>): Promise<void> {
    await suite.pg.query(
      `CREATE FUNCTION test_slow_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.user_id = '${user}' THEN PERFORM pg_sleep(1.5); END IF; RETURN OLD; END $$`,
    );
    await suite.pg.query(
      'CREATE TRIGGER test_slow_delete BEFORE DELETE ON global_learning_events FOR EACH ROW EXECUTE FUNCTION test_slow_delete()',
    );
    try {
      await work();
    } finally {
      await suite.pg.query('DROP TRIGGER test_slow_delete ON global_learning_events');
      await suite.pg.query('DROP FUNCTION test_slow_delete()');
    }
  }
});
