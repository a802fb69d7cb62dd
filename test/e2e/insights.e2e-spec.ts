import { ExtraGeneratorModule, ChannelReachGenerator } from '../support/extra-generator.module';
import { channelVisit } from '../support/extra-miner.module';
import { newUserId } from '../support/ids';
import { consentingUsers, ingestAll } from '../support/learning';
import { expectRunRequestAudited, expectSecondStartRefused } from '../support/runs';
import { useSuite } from '../support/suite';
import type { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const K = 3;
const DAY = 86_400_000;

describe('Insights: generators, runs and reads (e2e)', () => {
  const suite = useSuite({
    env: {
      MIN_USER_SUPPORT: String(K),
      INSIGHTS_PERIOD_DAYS: '7',
      INSIGHTS_BASELINE_DAYS: '28',
    },
    imports: [ExtraGeneratorModule],
  });
  let t: TestApp;
  beforeAll(() => ({ t } = suite));
  afterEach(() => {
    ChannelReachGenerator.control.gate.release();
    ChannelReachGenerator.control.mode = 'ok';
  });

  const admin = () => `Bearer ${t.token('admin-1', ['admin'])}`;
  const service = () => `Bearer ${t.token('svc-insights', ['service'])}`;
  const now = Date.now();
  const lastDayStart = Math.floor(now / DAY) * DAY - DAY;
  let tick = 0;
  /** An instant `daysAgo` days before now (distinct per call, so events keep their order). */
  const ago = (daysAgo: number) => new Date(now - daysAgo * DAY + (tick++ % 1000) * 10).toISOString();
  /** An instant inside the day `n` days before the last complete day (0 = that day). */
  const onDay = (n: number) => new Date(lastDayStart - n * DAY + 3_600_000 + (tick++ % 1000) * 10).toISOString();

  /** Sends events as a service; every one must be accepted. */
  const ingest = (events: Record<string, unknown>[]) => ingestAll(t, events);

  const visit = (
    userId: string,
    module: string,
    timestamp: string,
    action = 'visit',
    extra: Record<string, unknown> = {},
  ) => ({
    userId,
    eventType: 'interaction',
    context: { module, action },
    data: { outcome: 'success' },
    timestamp,
    ...extra,
  });

  async function runById(runId: string) {
    const res = await t.http.get('/api/v1/insights/runs?limit=100').set('authorization', admin());
    return (res.body.items as Record<string, any>[]).find((r) => r.id === runId);
  }

  async function generate(): Promise<Record<string, any>> {
    const res = await t.http.post('/api/v1/insights/generate').set('authorization', admin());
    expect(res.status).toBe(202);
    await expectRunRequestAudited(t, 'insights.run_requested', res.body.runId);
    const run = await waitFor(
      () => runById(res.body.runId),
      (r) => r !== undefined && r.status !== 'running',
      20_000,
    );
    expect(run?.status).toBe('succeeded');
    return run!;
  }

  async function insights(query: string): Promise<Record<string, any>[]> {
    const res = await t.http.get(`/api/v1/insights?limit=100&${query}`).set('authorization', service());
    expect(res.status).toBe(200);
    return res.body.items;
  }

  it('finds a significant period-over-period change and none where nothing changed', async () => {
    const pool = await consentingUsers(t, 40);
    await ingest([
      ...pool.slice(0, 10).map((u) => visit(u, 'tr', ago(10))),
      ...pool.slice(0, 30).map((u) => visit(u, 'tr', ago(2))),
      ...pool.slice(0, 10).map((u) => visit(u, 'ctl', ago(10))),
      ...pool.slice(10, 20).map((u) => visit(u, 'ctl', ago(2))),
    ]);
    await generate();
    const [trend] = await insights('type=trend&module=tr');
    // 30 against 10 users: z = 20/√40 = 3.16, p = 0.0016.
    expect(trend).toMatchObject({
      key: 'active_users',
      metric: 'active_users',
      value: 30,
      baseline: 10,
      change: 2,
      support: 10,
      evidence: { patternIds: [], aggregate: { current: 30, previous: 10 } },
      noised: false,
    });
    expect(trend.significance).toBeCloseTo(1 - 0.001565, 4);
    expect(trend.title).toContain('up');
    expect(await insights('type=trend&module=ctl')).toEqual([]);
    expect((await insights('module=ctl')).map((i) => i.type)).toEqual(['summary']);
  });

  it('flags the last day of a daily metric against a robust baseline, even after an earlier outlier', async () => {
    const pool = await consentingUsers(t, 45);
    const events: Record<string, unknown>[] = [];
    for (let day = 1; day <= 28; day++) {
      const count = day === 10 ? 45 : 4 + (day % 3); // 4, 5, 6 … and one outlier day
      for (const u of pool.slice(0, count)) events.push(visit(u, 'an', onDay(day)));
    }
    for (const u of pool.slice(0, 40)) events.push(visit(u, 'an', onDay(0)));
    await ingest(events);
    await generate();
    const found = await insights('type=anomaly&module=an');
    expect(found.map((i) => i.key)).toEqual(['daily_active_users']);
    expect(found[0]).toMatchObject({ value: 40, baseline: 5 });
    expect(found[0].stats.z).toBeGreaterThan(3.5);
    expect(found[0].periodFrom).toBe(new Date(lastDayStart).toISOString());
  });

  it('points at an action that troubles its users, not at the others', async () => {
    const pool = await consentingUsers(t, 30);
    await ingest([
      ...pool
        .slice(0, 12)
        .map((u, i) => ({ ...visit(u, 'fr', ago(1), 'export'), data: { outcome: i < 8 ? 'failure' : 'success' } })),
      ...pool
        .slice(0, 30)
        .map((u, i) => ({ ...visit(u, 'fr', ago(1), 'view'), data: { outcome: i === 0 ? 'abandoned' : 'success' } })),
    ]);
    await generate();
    const found = await insights('type=friction&module=fr');
    expect(found.map((i) => i.key)).toEqual(['export']);
    // 8 of its 12 users troubled against none of the module's 18 other users (the one troubled by view used export).
    expect(found[0]).toMatchObject({
      metric: 'troubled_share',
      value: 8 / 12,
      baseline: 0,
      support: 12,
      evidence: { aggregate: { users: 12, troubled: 8, restUsers: 18, restTroubled: 0 } },
    });
    expect(found[0].significance).toBeGreaterThan(0.99);
  });

  it('recommends a frequent next action from the patterns, with the pattern as evidence', async () => {
    const pool = await consentingUsers(t, 8);
    await ingest(
      pool.flatMap((u) => [
        visit(u, 'rc', ago(1), 'open', { context: { module: 'rc', action: 'open', sessionId: `s-${u}` } }),
        visit(u, 'rc', ago(1), 'save', { context: { module: 'rc', action: 'save', sessionId: `s-${u}` } }),
      ]),
    );
    const mined = await t.http.post('/api/v1/patterns/mine').set('authorization', admin());
    expect(mined.status).toBe(202);
    // Mining starts a generation itself when it finishes; wait for that one.
    await waitFor(
      () => insights('type=recommendation&module=rc'),
      (found) => found.length > 0,
      20_000,
    );
    await waitFor(
      () => t.http.get('/api/v1/insights/runs?limit=5').set('authorization', admin()),
      (res) => res.body.items.every((r: { status: string }) => r.status !== 'running'),
      20_000,
    );
    const [advice] = await insights('type=recommendation&module=rc');
    expect(advice).toMatchObject({ key: 'next:open>save', metric: 'next_action_confidence', value: 1, support: 8 });
    const detail = await t.http.get(`/api/v1/insights/${advice.id}`).set('authorization', service());
    expect(detail.status).toBe(200);
    expect(detail.body.patterns).toHaveLength(1);
    expect(detail.body.patterns[0]).toMatchObject({ type: 'sequence', signature: 'open>save', support: 8 });
    expect(detail.body.evidence.patternIds).toEqual([detail.body.patterns[0].id]);
  });

  it('withdraws an insight once an erasure takes it below k users', async () => {
    const pool = await consentingUsers(t, K);
    await ingest(pool.map((u) => visit(u, 'er', ago(1))));
    await generate();
    expect(await insights('type=summary&module=er')).toMatchObject([{ value: K, support: K }]);
    const erased = await t.http.delete(`/api/v1/privacy/users/${pool[0]}`).set('authorization', admin());
    expect(erased.status).toBe(200);
    const run = await generate();
    expect(await insights('type=summary&module=er')).toEqual([]);
    const withdrawn = await t.http
      .get('/api/v1/insights?type=summary&module=er&status=withdrawn')
      .set('authorization', admin());
    expect(withdrawn.body.items).toMatchObject([{ status: 'withdrawn' }]);
    // History is for operators: its figures may predate withdrawals and erasures.
    expect((await t.http.get('/api/v1/insights?status=withdrawn').set('authorization', service())).status).toBe(403);
    expect(
      (await t.http.get(`/api/v1/insights/${withdrawn.body.items[0].id}`).set('authorization', service())).status,
    ).toBe(404);
    expect(
      (await t.http.get(`/api/v1/insights/${withdrawn.body.items[0].id}`).set('authorization', admin())).status,
    ).toBe(200);
    expect(
      run.generators.find((g: { generator: string }) => g.generator === 'summary').withdrawn,
    ).toBeGreaterThanOrEqual(1);
  });

  it('runs a generator from another module, one run at a time, admins only', async () => {
    const pool = await consentingUsers(t, K);
    await ingest(pool.map((u) => channelVisit(u, 'ch', 'mobile', ago(1))));
    const runId = await expectSecondStartRefused(
      t,
      '/api/v1/insights/generate',
      ChannelReachGenerator.control.gate,
      'INSIGHTS.RUN_IN_PROGRESS',
    );
    await waitFor(
      () => runById(runId),
      (r) => r?.status === 'succeeded',
      20_000,
    );
    expect(await insights('type=extra&module=ch')).toMatchObject([{ key: 'channel_reach', value: K }]);
    const asUser = await t.http.post('/api/v1/insights/generate').set('authorization', service());
    expect(asUser.status).toBe(403);

    // A failing generator makes the run partial and keeps its type's insights (nothing recounted them).
    ChannelReachGenerator.control.mode = 'fail';
    const res = await t.http.post('/api/v1/insights/generate').set('authorization', admin());
    const failed = await waitFor(
      () => runById(res.body.runId),
      (r) => r !== undefined && r.status !== 'running',
      20_000,
    );
    expect(failed).toMatchObject({ status: 'partial' });
    expect(failed!.generators.find((g: { generator: string }) => g.generator === 'channel_reach').error).toContain(
      'failed on purpose',
    );
    expect(await insights('type=extra&module=ch')).toMatchObject([{ key: 'channel_reach' }]);

    // Whatever a generator returns, the run publishes no count between 1 and k-1.
    ChannelReachGenerator.control.mode = 'leak';
    await generate();
    expect(await insights('type=extra&module=ch')).toEqual([]);
  });

  it('answers bad input with 400 naming the field and unknown ids with 404', async () => {
    const bad = await t.http.get('/api/v1/insights?minSignificance=2&limit=0&type=Bad').set('authorization', service());
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'minSignificance', 'type']);
    const cursor = await t.http.get('/api/v1/insights?cursor=abc').set('authorization', service());
    expect(cursor.status).toBe(400);
    const missing = await t.http.get(`/api/v1/insights/${newUserId()}`).set('authorization', service());
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('INSIGHTS.NOT_FOUND');
    const notUuid = await t.http.get('/api/v1/insights/nope').set('authorization', service());
    expect(notUuid.status).toBe(400);
  });

  it('pages by significance without gaps or repeats and filters by significance', async () => {
    const pool = await consentingUsers(t, K);
    await ingest(['pg1', 'pg2', 'pg3', 'pg4', 'pg5'].flatMap((module) => pool.map((u) => visit(u, module, ago(1)))));
    await generate();
    const all = await insights('');
    expect(all.length).toBeGreaterThanOrEqual(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await t.http
        .get(`/api/v1/insights?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        .set('authorization', service());
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((i) => i.id));
    const significances = all.map((i) => i.significance);
    expect([...significances].sort((a, b) => b - a)).toEqual(significances);
    expect((await insights('minSignificance=0.999')).every((i) => i.significance >= 0.999)).toBe(true);
  });
});
