import { consentingUsers, ingestAll } from '../support/learning';
import { useSuite } from '../support/suite';
import type { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const K = 3;
const HOUR = 3_600_000;

describe('Learning events: deleting some events short of erasure (e2e)', () => {
  const suite = useSuite({ env: { MIN_USER_SUPPORT: String(K) } });
  let t: TestApp;
  beforeAll(() => ({ t } = suite));
  const as = (sub: string, roles: ('user' | 'admin')[] = ['user']) => `Bearer ${t.token(sub, roles)}`;
  const admin = () => as('admin-1', ['admin']);
  const base = Date.now() - 48 * HOUR;
  const at = (hours: number) => new Date(base + hours * HOUR).toISOString();
  const event = (userId: string, module: string, hours: number, action = 'visit') => ({
    userId,
    eventType: 'interaction',
    context: { module, action, sessionId: `s-${userId}` },
    data: { outcome: 'success' },
    timestamp: at(hours),
  });
  const eventsOf = async (userId: string) =>
    (await t.http.get(`/api/v1/learning/events?userId=${userId}&limit=100`).set('authorization', admin())).body
      .items as { id: string; context: { module: string }; timestamp: string }[];
  const audited = async (userId: string) =>
    (
      await suite.pg.query<{ actor_type: string; details: Record<string, unknown> }>(
        `SELECT actor_type, details FROM audit_log WHERE action = 'learning.events_deleted' AND target = $1 ORDER BY at`,
        [userId],
      )
    ).rows;

  it('deletes one of the caller’s events by id, audited, and never someone else’s', async () => {
    const [user, other] = await consentingUsers(t, 2);
    await ingestAll(t, [event(user, 'm', 1), event(user, 'm', 2), event(other, 'm', 1)]);
    const [newest] = await eventsOf(user);
    const res = await t.http.delete(`/api/v1/learning/events/${newest.id}`).set('authorization', as(user));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: 1 });
    expect((await eventsOf(user)).map((e) => e.id)).not.toContain(newest.id);
    expect(await audited(user)).toEqual([{ actor_type: 'user', details: { eventId: newest.id, count: 1 } }]);

    const again = await t.http.delete(`/api/v1/learning/events/${newest.id}`).set('authorization', as(user));
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('LEARNING.EVENT_NOT_FOUND');
    // Another user's event is not found either (its existence is not revealed), and stays.
    const [theirs] = await eventsOf(other);
    expect((await t.http.delete(`/api/v1/learning/events/${theirs.id}`).set('authorization', as(user))).status).toBe(
      404,
    );
    expect(await eventsOf(other)).toHaveLength(1);
    const bad = await t.http.delete('/api/v1/learning/events/not-a-uuid').set('authorization', as(user));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('id');
  });

  it('deletes a time range, optionally of one module; admins name the user', async () => {
    const [user] = await consentingUsers(t, 1);
    await ingestAll(t, [event(user, 'a', 1), event(user, 'a', 5), event(user, 'b', 5), event(user, 'a', 10)]);
    const range = (query: string, auth = as(user)) =>
      t.http.delete(`/api/v1/learning/events?${query}`).set('authorization', auth);
    const res = await range(`from=${at(4)}&to=${at(6)}&module=a`);
    expect(res.body).toEqual({ deleted: 1 });
    expect((await eventsOf(user)).map((e) => `${e.context.module}@${e.timestamp}`).sort()).toEqual(
      [`a@${at(1)}`, `a@${at(10)}`, `b@${at(5)}`].sort(),
    );
    expect((await range(`from=${at(0)}&to=${at(11)}&userId=${user}`, admin())).body).toEqual({ deleted: 3 });
    expect(await eventsOf(user)).toEqual([]);
    expect((await audited(user)).map((a) => a.actor_type)).toEqual(['user', 'admin']);

    const fields = async (query: string, auth = as(user)) =>
      (await range(query, auth)).body.errors?.map((e: { field: string }) => e.field);
    expect(await fields(`from=${at(6)}&to=${at(4)}`)).toEqual(['to']);
    expect(await fields(`to=${at(4)}`)).toEqual(['from']);
    expect(await fields(`from=${at(0)}&to=${at(4)}`, admin())).toEqual(['userId']);
    const foreign = await range(`from=${at(0)}&to=${at(4)}&userId=${(await consentingUsers(t, 1))[0]}`);
    expect(foreign.status).toBe(403);
  });

  it('is refused under a legal hold, as erasure is', async () => {
    const [user] = await consentingUsers(t, 1);
    await ingestAll(t, [event(user, 'm', 1)]);
    const placed = await t.http
      .put(`/api/v1/retention/holds/${user}`)
      .set('authorization', admin())
      .send({ reason: 'litigation' });
    expect(placed.status).toBe(200);
    const [held] = await eventsOf(user);
    const res = await t.http.delete(`/api/v1/learning/events/${held.id}`).set('authorization', as(user));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('RETENTION.LEGAL_HOLD');
    expect(await eventsOf(user)).toHaveLength(1);
    expect(await audited(user)).toEqual([]);
  });

  it('takes the deleted events out of the next mining run', async () => {
    const users = await consentingUsers(t, K);
    await ingestAll(
      t,
      users.flatMap((u) => [event(u, 'mined', 1, 'open'), event(u, 'mined', 1.01, 'save')]),
    );
    const mine = async () => {
      const res = await t.http.post('/api/v1/patterns/mine').set('authorization', admin());
      await waitFor(
        async () =>
          (
            (await t.http.get('/api/v1/patterns/runs?limit=5').set('authorization', admin())).body.items as {
              id: string;
              status: string;
            }[]
          ).find((r) => r.id === res.body.runId),
        (r) => r !== undefined && r.status !== 'running',
        20_000,
      );
      return (await t.http.get('/api/v1/patterns?module=mined').set('authorization', admin())).body.items as {
        signature: string;
      }[];
    };
    expect((await mine()).map((p) => p.signature)).toContain('open>save');
    const deleted = await t.http
      .delete(`/api/v1/learning/events?from=${at(0)}&to=${at(2)}`)
      .set('authorization', as(users[0]));
    expect(deleted.body).toEqual({ deleted: 2 });
    expect((await mine()).map((p) => p.signature)).not.toContain('open>save');
  });
});
