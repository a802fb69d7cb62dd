import { consentingUsers, ingestAll } from '../support/learning';
import { useSuite } from '../support/suite';
import type { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const USERS = 200;
const EPSILON = 10;

/**
 * DP mode (DP_EPSILON): contribution bounding, DP partition selection instead of the k threshold, discrete noise
 * derived stably from the data, figures computed from noised counts, and every run spending the privacy budget.
 */
describe('Patterns: user-level differential privacy mode (e2e)', () => {
  const suite = useSuite({
    env: {
      MIN_USER_SUPPORT: '5',
      DP_EPSILON: String(EPSILON),
      DP_DELTA: '0.001',
      DP_MAX_PATTERNS_PER_USER: '3',
      // Room for two cycles: each mining run and the generation after it spend EPSILON each.
      PRIVACY_BUDGET_EPSILON: String(4 * EPSILON),
      PRIVACY_BUDGET_DELTA: '0.01',
    },
  });
  let t: TestApp;
  beforeAll(() => ({ t } = suite));
  const admin = () => `Bearer ${t.token('admin-1', ['admin'])}`;
  let tick = 0;
  // A day ago: inside the mining window and the insights' period (the last complete days).
  const at = () => new Date(Date.now() - 26 * 3_600_000 + tick++ * 10).toISOString();

  /** Mines, and waits for the run and for the insight generation a finished run starts. */
  async function mine(): Promise<Record<string, any>> {
    const generations = (await insightRuns()).length;
    const res = await t.http.post('/api/v1/patterns/mine').set('authorization', admin());
    expect(res.status).toBe(202);
    const run = (await waitFor(
      async () => (await runs('/api/v1/patterns/runs')).find((r) => r.id === res.body.runId),
      (r) => r !== undefined && r.status !== 'running',
      60_000,
    ))!;
    if (run.status !== 'failed')
      await waitFor(insightRuns, (all) => all.length > generations && all.every((r) => r.status !== 'running'), 60_000);
    return run;
  }

  const insightRuns = () => runs('/api/v1/insights/runs');

  async function runs(route: string): Promise<Record<string, any>[]> {
    return (await t.http.get(`${route}?limit=100`).set('authorization', admin())).body.items;
  }

  async function published(): Promise<Record<string, any>[]> {
    const res = await t.http.get('/api/v1/patterns?limit=100&module=dp').set('authorization', admin());
    expect(res.status).toBe(200);
    return res.body.items;
  }

  it('publishes what many users share, with noised counts, and nothing of one user', async () => {
    const users = await consentingUsers(t, USERS);
    const events: Record<string, unknown>[] = [];
    for (const [i, userId] of users.entries()) {
      for (const action of ['open', 'edit', 'save'])
        events.push({
          userId,
          eventType: 'interaction',
          context: { module: 'dp', action, sessionId: `s-${i}` },
          data: { outcome: 'success' },
          timestamp: at(),
        });
      events.push({
        userId,
        eventType: 'feedback',
        context: { module: 'dp', action: 'suggest' },
        data: { rating: i % 4 === 0 ? 1 : 5 },
        timestamp: at(),
      });
    }
    // One user alone, however often: a pattern of one user is (all but surely) not selected.
    const [solo] = await consentingUsers(t, 1);
    for (let s = 0; s < 20; s++)
      for (const action of ['ping', 'pong'])
        events.push({
          userId: solo,
          eventType: 'interaction',
          context: { module: 'dp', action, sessionId: `solo-${s}` },
          data: { outcome: 'success' },
          timestamp: at(),
        });
    await ingestAll(t, events);

    const run = await mine();
    expect(run.status).toBe('succeeded');
    const patterns = await published();
    const bySignature = Object.fromEntries(patterns.map((p) => [`${p.type}:${p.signature}`, p]));
    expect(Object.keys(bySignature)).not.toContain('sequence:ping>pong');
    expect(patterns.some((p) => String(p.signature).startsWith('gapped:'))).toBe(false);
    // Each user counts towards at most 3 of their sequences: open>edit, edit>save and open>edit>save.
    const sequence = bySignature['sequence:open>edit'];
    expect(sequence).toBeDefined();
    // Confidence comes from the released supports alone: its share of the released sequences of its context.
    expect(sequence.confidence).toBe(sequence.support / sequence.stats.contextUsers);
    const feedback = bySignature['feedback:suggest'];
    expect(feedback).toBeDefined();
    // Every count carries noise: that all of these came out exact would have a chance below 1e-9.
    const truth: [number, number][] = [
      [sequence.support, USERS],
      [bySignature['sequence:edit>save'].support, USERS],
      [bySignature['sequence:open>edit>save'].support, USERS],
      [feedback.support, USERS],
      [feedback.stats.positive, (USERS * 3) / 4],
      [feedback.stats.negative, USERS / 4],
      [bySignature['co_occurrence:edit+open'].support, USERS],
      [bySignature['co_occurrence:edit+save'].support, USERS],
      [bySignature['co_occurrence:open+save'].support, USERS],
    ];
    expect(truth.some(([released, exact]) => released !== exact)).toBe(true);
    // Co-occurrence confidence and lift rest on other releases' counts: not published in DP mode.
    expect(bySignature['co_occurrence:edit+open']).toMatchObject({ confidence: null, lift: null });
    expect(feedback.stats.positiveShare).toBeCloseTo(
      Math.min(feedback.stats.positive, feedback.support) / feedback.support,
      3,
    );
    expect(feedback.stats).not.toHaveProperty('meanRating');
    const report = Object.fromEntries(run.miners.map((m: { miner: string }) => [m.miner, m]));
    expect(report.sequence.unselected).toBeGreaterThan(0); // ping>pong and the like

    // The budget holds the spends of the run and of the generation after it.
    const budget = await t.http.get('/api/v1/privacy/budget').set('authorization', admin());
    expect(budget.body.epsilon).toMatchObject({ total: 4 * EPSILON, spent: 2 * EPSILON, remaining: 2 * EPSILON });

    // Insights in DP mode: the module's summary, released once with noise, marked as noised.
    const [generation] = await insightRuns();
    expect(generation).toMatchObject({ trigger: 'mining', status: 'succeeded' });
    const insights = (await t.http.get('/api/v1/insights?limit=100&module=dp').set('authorization', admin())).body
      .items as Record<string, any>[];
    const summary = insights.find((i) => i.type === 'summary');
    expect(summary).toMatchObject({ noised: true });
    expect(summary!.evidence.aggregate.users).toBeGreaterThan(0);
  });

  it('draws the same noise again over the same data, so a second run reveals nothing new', async () => {
    const before = await published();
    const run = await mine();
    expect(run.status).toBe('succeeded');
    const after = await published();
    const figures = (list: Record<string, any>[]) =>
      Object.fromEntries(list.map((p) => [`${p.type}:${p.signature}`, [p.support, p.occurrences, p.stats]]));
    expect(figures(after)).toEqual(figures(before));
  });

  it('publishes nothing new once the budget is spent, keeps the last release and says why', async () => {
    const before = await published();
    const run = await mine();
    expect(run.status).toBe('failed');
    expect(run.error).toContain('privacy budget');
    expect(await published()).toEqual(before);
    const { rows } = await suite.pg.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'privacy.budget_refused' AND target = $1`,
      [run.id],
    );
    expect(rows[0].n).toBe(1);
  });
});
