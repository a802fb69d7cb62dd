import { consentingUsers, ingestAll, learningEvent } from '../support/learning';
import { useSuite } from '../support/suite';
import type { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const K = 3;
const DAY = 86_400_000;
const DATASETS = 8;
const PLANTED = 3;

/** A small deterministic generator, so a failing data set can be replayed from its seed. */
function random(seed: number) {
  let state = seed * 7919 + 17;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((state / 2_147_483_648) * n);
  };
  return { next, chance: (p: number) => next(1_000_000) < p * 1_000_000 };
}

/**
 * The counts each published figure set holds, as a reader sees them, and the further counts a reader can derive
 * from them beyond their differences (the users of a module who used neither action; the raters neither positive
 * nor negative). Written from the meaning of each figure, not from the code that publishes it.
 */
function patternCells(p: Record<string, any>): { counts: number[]; derived: number[] } {
  const counts: number[] = [p.support];
  if (p.occurrences !== null) counts.push(p.occurrences);
  const s = p.stats as Record<string, number> | null;
  const derived: number[] = [];
  if (s) {
    if (p.type === 'sequence') counts.push(s.contextUsers);
    if (p.type === 'feedback') {
      counts.push(s.positive, s.negative);
      derived.push(p.support - s.positive - s.negative);
      if (s.raters !== undefined) counts.push(s.raters);
    }
    if (p.type === 'co_occurrence') {
      counts.push(s.usersX, s.usersY, s.moduleUsers);
      derived.push(s.moduleUsers - s.usersX - s.usersY + p.support);
    }
    if (p.type === 'reported') counts.push(s.sampledReports);
  }
  return { counts, derived };
}

/** Every count, every difference of two counts and every derived count: 0 or at least k. */
function smallCells(counts: number[], derived: number[]): number[] {
  const cells = [...counts, ...derived];
  for (let i = 0; i < counts.length; i++)
    for (let j = i + 1; j < counts.length; j++) cells.push(Math.abs(counts[i] - counts[j]));
  return cells.filter((c) => !(c === 0 || c >= K));
}

/** A ratio a release publishes must be the ratio of counts it publishes (or be withheld with them). */
function expectRatiosFromCounts(p: Record<string, any>): void {
  const s = p.stats as Record<string, number> | null;
  if (p.type === 'sequence') expect(p.confidence).toBe(s ? p.support / s.contextUsers : null);
  if (p.type === 'co_occurrence') {
    expect(p.confidence).toBe(s ? p.support / s.usersX : null);
    expect(p.lift).toBe(s ? (p.support * s.moduleUsers) / (s.usersX * s.usersY) : null);
  }
  if (p.type === 'feedback' && s) expect(s.positiveShare).toBeCloseTo(s.positive / p.support, 3);
  if (p.type === 'feedback' && !s) expect(p.confidence).toBeNull();
}

describe('Publication gate: no small cell in anything published (e2e, property)', () => {
  const suite = useSuite({
    env: {
      MIN_USER_SUPPORT: String(K),
      INSIGHTS_PERIOD_DAYS: '7',
      INSIGHTS_BASELINE_DAYS: '14',
      MINING_WINDOW_DAYS: '30',
      MINING_MAX_OCCURRENCES_PER_USER: '3',
    },
  });
  let t: TestApp;
  beforeAll(() => ({ t } = suite));
  const admin = () => `Bearer ${t.token('admin-1', ['admin'])}`;

  /** One random data set in its own module: few users and a small vocabulary, so counts land near k. */
  async function seedDataset(seed: number): Promise<void> {
    const r = random(seed);
    const module = `gate-${seed}`;
    const users = await consentingUsers(t, K + r.next(4 * K));
    const actions = ['open', 'edit', 'save', 'share'].slice(0, 2 + r.next(3));
    const now = Date.now();
    let tick = 0;
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY - 3_600_000 + (tick++ % 3000) * 10).toISOString();
    const events: Record<string, unknown>[] = [];
    for (const userId of users) {
      const days = [r.next(7), 7 + r.next(14)].filter(() => r.chance(0.8));
      for (const day of days) {
        const sessionId = `s-${seed}-${r.next(1_000_000)}`;
        const emit = (eventType: string, context: Record<string, unknown>, data: Record<string, unknown>) =>
          events.push(learningEvent(userId, eventType, { module, ...context }, data, at(day)));
        for (let i = 0, n = 1 + r.next(5); i < n; i++)
          emit(
            'interaction',
            { action: actions[r.next(actions.length)], sessionId },
            { outcome: r.chance(0.2) ? 'failure' : 'success' },
          );
        if (r.chance(0.6))
          emit(
            'feedback',
            { action: actions[0] },
            r.chance(0.7) ? { rating: 1 + r.next(5) } : { sentiment: r.chance(0.5) ? 'positive' : 'negative' },
          );
        if (r.chance(0.5))
          emit(
            'correction',
            { action: 'correct' },
            r.chance(0.7) ? { original: 'teh', corrected: 'the' } : { original: 'recieve', corrected: 'receive' },
          );
        if (r.chance(0.4)) {
          const items = ['x', ...['y', 'z'].filter(() => r.chance(0.6))];
          emit('pattern_discovery', { action: 'report' }, { patternType: 'workflow', signature: 'open-edit', items });
        }
      }
    }
    await ingestAll(t, events);
  }

  /**
   * Data sets that make the trend, friction and anomaly generators fire (random data rarely does), with random
   * sizes so their figures vary.
   */
  async function seedPlanted(seed: number): Promise<void> {
    const r = random(1000 + seed);
    const now = Date.now();
    const lastDayStart = Math.floor(now / DAY) * DAY - DAY;
    let tick = 0;
    const visit = (userId: string, module: string, at: number, action = 'visit', outcome = 'success') => ({
      userId,
      eventType: 'interaction',
      context: { module, action },
      data: { outcome },
      timestamp: new Date(at + (tick++ % 3000) * 10).toISOString(),
    });
    const before = 8 + r.next(6);
    const pool = await consentingUsers(t, 3 * before + r.next(6) + 50);
    const events: Record<string, unknown>[] = [];
    // Trend: many more active users this period than the one before.
    for (const u of pool.slice(0, before)) events.push(visit(u, `gate-t${seed}`, now - (8 + r.next(5)) * DAY));
    for (const u of pool.slice(0, 3 * before + r.next(6)))
      events.push(visit(u, `gate-t${seed}`, now - (1 + r.next(5)) * DAY));
    // Friction: an action most of its users fail, beside one nearly everyone succeeds with.
    const exporters = 12 + r.next(6);
    const troubled = exporters - K - r.next(3);
    pool
      .slice(0, exporters)
      .forEach((u, i) =>
        events.push(visit(u, `gate-f${seed}`, now - DAY, 'export', i < troubled ? 'failure' : 'success')),
      );
    for (const u of pool.slice(0, exporters + 20 + r.next(10)))
      events.push(visit(u, `gate-f${seed}`, now - DAY, 'view'));
    // Anomaly: a steady daily count, then a day with many more users.
    for (let day = 1; day <= 14; day++)
      for (const u of pool.slice(0, 4 + ((day + seed) % 3)))
        events.push(visit(u, `gate-a${seed}`, lastDayStart - day * DAY + 3_600_000));
    for (const u of pool.slice(0, 30 + r.next(10))) events.push(visit(u, `gate-a${seed}`, lastDayStart + 3_600_000));
    await ingestAll(t, events);
  }

  async function runAndWait(route: string, runs: string): Promise<void> {
    const res = await t.http.post(route).set('authorization', admin());
    expect(res.status).toBe(202);
    const run = await waitFor(
      async () =>
        (
          (await t.http.get(`${runs}?limit=100`).set('authorization', admin())).body.items as Record<string, any>[]
        ).find((r) => r.id === res.body.runId),
      (r) => r !== undefined && r.status !== 'running',
      60_000,
    );
    expect(run?.status).toBe('succeeded');
  }

  async function all(route: string): Promise<Record<string, any>[]> {
    const items: Record<string, any>[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: Record<string, any>[]; nextCursor: string | null } } = await t.http
        .get(`${route}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        .set('authorization', admin());
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }

  it('publishes no count, difference or derived count between 1 and k − 1, from every miner and generator', async () => {
    for (let seed = 1; seed <= DATASETS; seed++) await seedDataset(seed);
    for (let seed = 1; seed <= PLANTED; seed++) await seedPlanted(seed);
    await runAndWait('/api/v1/patterns/mine', '/api/v1/patterns/runs');
    // The mining run starts a generation from what it published; wait for it to finish.
    const generation = await waitFor(
      async () => (await t.http.get('/api/v1/insights/runs?limit=1').set('authorization', admin())).body.items[0],
      (r: Record<string, any> | undefined) => r !== undefined && r.status !== 'running',
      60_000,
    );
    expect(generation).toMatchObject({ trigger: 'mining', status: 'succeeded' });

    const patterns = (await all('/api/v1/patterns')).filter((p) => String(p.module).startsWith('gate-'));
    const insights = (await all('/api/v1/insights')).filter((i) => String(i.module).startsWith('gate-'));
    // The data sets reach every miner and generator, so the property is tested on each of them.
    expect(new Set(patterns.map((p) => p.type))).toEqual(
      new Set(['sequence', 'feedback', 'co_occurrence', 'correction', 'reported']),
    );
    expect(new Set(insights.map((i) => i.type))).toEqual(
      new Set(['summary', 'friction', 'trend', 'anomaly', 'recommendation']),
    );

    const leaks: string[] = [];
    for (const p of patterns) {
      const { counts, derived } = patternCells(p);
      const small = smallCells(counts, derived);
      if (small.length > 0) leaks.push(`${p.type} ${p.module}/${p.signature}: ${small.join(', ')}`);
      expectRatiosFromCounts(p);
    }
    for (const i of insights) {
      const counts = [i.support, ...Object.values(i.evidence.aggregate as Record<string, number>)];
      const small = smallCells(counts, []);
      if (small.length > 0) leaks.push(`${i.type} ${i.module}/${i.key}: ${small.join(', ')}`);
    }
    expect(leaks).toEqual([]);
    // The data sets reach the boundary: some figures were withheld rather than published.
    expect(patterns.some((p) => p.occurrences === null || (p.type !== 'correction' && p.stats === null))).toBe(true);
  });
});
