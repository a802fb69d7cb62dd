import { newUserId } from '../support/ids';
import { correction, interaction, setConsent } from '../support/learning';
import { useSuite } from '../support/suite';
import type { TestApp } from '../support/test-app';

describe('Learning events: reading (e2e)', () => {
  const suite = useSuite();
  let t: TestApp;
  beforeAll(() => ({ t } = suite));

  const as = (sub: string, roles: ('user' | 'service' | 'admin')[] = ['user']) => `Bearer ${t.token(sub, roles)}`;
  const send = (user: string, events: unknown[]) =>
    t.http.post('/api/v1/learning/events/batch').set('authorization', as(user)).send({ events });
  const list = (auth: string, query: Record<string, unknown> = {}) =>
    t.http.get('/api/v1/learning/events').set('authorization', auth).query(query);

  it('answers the caller’s events newest first with data decrypted and context restored', async () => {
    const user = newUserId();
    await setConsent(t, user);
    const ids = (
      await send(user, [
        interaction(undefined, { context: { module: 'editor', action: 'open', sessionId: 's-2', tab: 'main' } }),
        correction(user, 'teh', 'the'),
      ])
    ).body.results.map((r: { id: string }) => r.id);
    const res = await list(as(user));
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((e: { id: string }) => e.id)).toEqual([...ids].reverse());
    expect(res.body.items[1]).toEqual({
      id: ids[0],
      userId: user,
      eventType: 'interaction',
      context: { module: 'editor', action: 'open', sessionId: 's-2', tab: 'main' },
      data: { outcome: 'success', durationMs: 120, note: 'secret-plaintext-marker' },
      timestamp: expect.any(String),
      receivedAt: expect.any(String),
      clientEventId: null,
    });
    expect(res.body.items[0].data).toEqual({ original: 'teh', corrected: 'the' });
  });

  it('filters by type, module and time', async () => {
    const user = newUserId();
    await setConsent(t, user);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await send(user, [
      interaction(undefined, { timestamp: hourAgo }),
      interaction(undefined, { context: { module: 'search', action: 'query' } }),
      correction(user, 'a', 'b'),
    ]);
    const types = async (q: Record<string, unknown>) =>
      (await list(as(user), q)).body.items.map(
        (e: { eventType: string; context: { module: string } }) => `${e.eventType}:${e.context.module}`,
      );
    expect(await types({ eventType: 'correction' })).toEqual(['correction:editor']);
    expect(await types({ module: 'search' })).toEqual(['interaction:search']);
    expect((await types({ to: new Date(Date.now() - 60_000).toISOString() })).length).toBe(1);
    expect((await types({ from: new Date(Date.now() - 60_000).toISOString() })).length).toBe(2);
  });

  it('pages without gaps or repeats while events keep arriving', async () => {
    const user = newUserId();
    await setConsent(t, user);
    await send(
      user,
      Array.from({ length: 95 }, (_, i) => interaction(undefined, { clientEventId: `p${i}` })),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let round = 0;
    do {
      const page = await list(as(user), { limit: 10, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor ?? undefined;
      // New events land while we page: they are newer than the cursor and never shift later pages.
      await send(user, [interaction(undefined, { clientEventId: `late${round++}` })]);
    } while (cursor);
    expect(seen).toHaveLength(95);
    expect(new Set(seen).size).toBe(95);
  });

  it('keeps users to their own events; admins read anyone’s; services cannot list', async () => {
    const [a, b] = [newUserId(), newUserId()];
    await setConsent(t, a);
    await setConsent(t, b);
    await send(b, [interaction(undefined)]);
    expect((await list(as(a), { userId: b })).status).toBe(403);
    expect((await list(as(a), { userId: a })).status).toBe(200);
    const byAdmin = await list(as('ops', ['admin']), { userId: b });
    expect(byAdmin.body.items.map((e: { userId: string }) => e.userId)).toEqual([b]);
    expect((await list(as('svc', ['service']))).status).toBe(403);
  });

  it('refuses bad queries and cursors made for other filters with 400', async () => {
    const user = newUserId();
    await setConsent(t, user);
    await send(user, [interaction(undefined), interaction(undefined)]);
    expect((await list(as(user), { limit: 501 })).body.errors[0].field).toBe('limit');
    expect((await list(as(user), { eventType: 'nope' })).body.errors[0].field).toBe('eventType');
    const first = await list(as(user), { limit: 1 });
    const reused = await list(as(user), { limit: 1, eventType: 'interaction', cursor: first.body.nextCursor });
    expect(reused.status).toBe(400);
    expect(reused.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });
});
