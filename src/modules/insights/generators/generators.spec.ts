import { insightReleases } from '../insight-release';
import { publishableCounts } from '../../disclosure/publication-gate';
import type { AppConfig } from '../../../config/app-config';
import { loadConfig } from '../../../config/load-config';
import { wilsonLowerBound } from '../../patterns/statistics';
import type { GenerationContext, InsightGenerator } from '../insight-generator';
import { countChangeTest, robustZ, twoProportionTest } from '../significance';
import { AnomalyGenerator } from './anomaly.generator';
import { FrictionGenerator } from './friction.generator';
import { RecommendationGenerator } from './recommendation.generator';
import { SummaryGenerator } from './summary.generator';
import { TrendGenerator } from './trend.generator';

const K = 5;
const DAY = 86_400_000;
const NOW = new Date('2026-11-20T12:00:00Z');

/** The insight settings at their defaults, as load-config reads them, with `insights` changed. */
const config = (insights: Partial<AppConfig['insights']> = {}): AppConfig => {
  const loaded = loadConfig({ JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: '1f'.repeat(32) });
  return Object.assign(loaded, { insights: { ...loaded.insights, ...insights } });
};

/** A generator run with these settings (as the run hands them over in its context). */
const withSettings = (generator: InsightGenerator, cfg: AppConfig) => ({
  generate: (context: GenerationContext) =>
    generator.generate({ ...context, settings: cfg.insights, miningWindowDays: cfg.patterns.windowDays }),
});

/** A context whose queries answer from `answers` in order (the generators' SQL is covered by the e2e suite). */
function contextWith(answers: unknown[][], overrides: Partial<GenerationContext> = {}): GenerationContext {
  const queue = [...answers];
  return {
    period: { from: new Date(NOW.getTime() - 7 * DAY), to: NOW },
    previous: { from: new Date(NOW.getTime() - 14 * DAY), to: new Date(NOW.getTime() - 7 * DAY) },
    minUserSupport: K,
    alpha: 0.01,
    settings: config().insights,
    miningWindowDays: 90,
    query: async <T>() => (queue.shift() ?? []) as T[],
    count: (_identity, n) => n,
    publishable: (n) => n === 0 || n >= K,
    publishableCounts: (required, optional) => publishableCounts(required, optional, K),
    ...insightReleases({ kind: 'threshold', count: (_identity, n) => n, noiseVariance: 0 }),
    ...overrides,
  };
}

/** A module's period activity as the query answers it: [users, correcting, rating, satisfied] of each period. */
const activity = (module: string, current: number[], previous: number[] = []) => {
  const figures = (period: string, [users = 0, correcting = 0, rating = 0, satisfied = 0]: number[]) => ({
    [`${period}_users`]: users,
    [`${period}_correcting`]: correcting,
    [`${period}_rating`]: rating,
    [`${period}_satisfied`]: satisfied,
  });
  return {
    module,
    users: Math.max(current[0] ?? 0, previous[0] ?? 0),
    ...figures('current', current),
    ...figures('previous', previous),
  };
};

describe('TrendGenerator', () => {
  const rows = [activity('m', [30], [10])];
  const p = countChangeTest(30, 10).p;

  it('publishes a change exactly when its p-value is below alpha', async () => {
    expect(await new TrendGenerator().generate(contextWith([rows], { alpha: p * 1.0001 }))).toHaveLength(1);
    expect(await new TrendGenerator().generate(contextWith([rows], { alpha: p }))).toHaveLength(0);
  });

  it('tests rates with the two-proportion test and shows no count between 1 and k-1', async () => {
    const rated = [activity('m', [100, 40], [100, 10])];
    const [rate] = (await new TrendGenerator().generate(contextWith([rated]))).filter(
      (i) => i.metric === 'correction_rate',
    );
    expect(rate).toMatchObject({ value: 0.4, baseline: 0.1, support: 100 });
    expect(rate.significance).toBeCloseTo(1 - twoProportionTest(40, 100, 10, 100).p, 12);
    const tiny = [activity('m', [100, K - 1], [100, 40])];
    expect(
      (await new TrendGenerator().generate(contextWith([tiny]))).filter((i) => i.metric === 'correction_rate'),
    ).toHaveLength(0);
    const atK = [activity('m', [100, K], [100, 40])];
    expect(
      (await new TrendGenerator().generate(contextWith([atK]))).filter((i) => i.metric === 'correction_rate'),
    ).toHaveLength(1);
  });
});

describe('AnomalyGenerator', () => {
  const day = Math.floor(NOW.getTime() / DAY) - 1;
  const rows = (last: number) => [
    ...Array.from({ length: 28 }, (_, i) => ({
      module: 'm',
      day: day - 28 + i,
      users: 40 + (i % 5) * 5,
      correcting: 0,
    })),
    { module: 'm', day, users: last, correcting: 0 },
  ];
  const z = robustZ(
    80,
    rows(80)
      .slice(0, 28)
      .map((r) => r.users),
  ).z;

  it('flags the last day exactly from |z| = INSIGHTS_ANOMALY_Z', async () => {
    expect(
      await withSettings(new AnomalyGenerator(), config({ anomalyZ: z })).generate(contextWith([rows(80)])),
    ).toHaveLength(1);
    expect(
      await withSettings(new AnomalyGenerator(), config({ anomalyZ: z * 1.0001 })).generate(contextWith([rows(80)])),
    ).toHaveLength(0);
  });

  it('reports a drop to zero, but not a baseline whose typical day has fewer than k users', async () => {
    const [drop] = await withSettings(new AnomalyGenerator(), config()).generate(contextWith([rows(0)]));
    expect(drop).toMatchObject({ metric: 'daily_active_users', value: 0, baseline: 50 });
    const quiet = Array.from({ length: 29 }, (_, i) => ({
      module: 'q',
      day: day - 28 + i,
      users: i === 28 ? 50 : K - 1,
      correcting: 0,
    }));
    expect(await withSettings(new AnomalyGenerator(), config()).generate(contextWith([quiet]))).toHaveLength(0);
  });
});

describe('FrictionGenerator', () => {
  // Module m: 220 users, 20 troubled by something. Of export's 20 users 10 were troubled by it (and by anything);
  // of view's 200, 10 — so the rest of export's module is 200 users with 10 troubled, and view's 20 with 10.
  const modules = [{ module: 'm', users: 220, troubled: 20 }];
  const actions = [
    {
      module: 'm',
      action: 'export',
      users: 20,
      troubled: 10,
      troubled_anywhere: 10,
      feedback_pattern: 'f0e1d2c3-0000-7000-8000-000000000000',
    },
    { module: 'm', action: 'view', users: 200, troubled: 10, troubled_anywhere: 10, feedback_pattern: null },
  ];
  const lower = wilsonLowerBound(10, 20);

  it('needs the Wilson lower bound of the troubled share to reach INSIGHTS_FRICTION_RATE', async () => {
    const found = await withSettings(new FrictionGenerator(), config({ frictionRate: lower })).generate(
      contextWith([modules, actions]),
    );
    expect(found.map((i) => i.key)).toEqual(['export']);
    expect(found[0]).toMatchObject({
      support: 20,
      evidence: {
        patternIds: ['f0e1d2c3-0000-7000-8000-000000000000'],
        aggregate: { users: 20, troubled: 10, restUsers: 200, restTroubled: 10 },
      },
    });
    expect(
      await withSettings(new FrictionGenerator(), config({ frictionRate: lower + 1e-9 })).generate(
        contextWith([modules, actions]),
      ),
    ).toHaveLength(0);
  });

  it('needs the share to be significantly above the rest of the module', async () => {
    const even = [{ module: 'm', users: 220, troubled: 110 }];
    expect(
      await withSettings(new FrictionGenerator(), config()).generate(contextWith([even, [actions[0]]])),
    ).toHaveLength(0);
  });
});

describe('RecommendationGenerator', () => {
  /** A published open>save sequence: `support` of the `contextUsers` who went on after open went on with save. */
  const sequence = (support: number, contextUsers: number) => ({
    id: 'p-1',
    pattern_type: 'sequence',
    module: 'm',
    items: { actions: ['open', 'save'] },
    support,
    confidence: support / contextUsers,
    stats: { length: 2, contextUsers },
  });

  it('suggests B after A only when P(B | A) is significantly above INSIGHTS_MIN_CONFIDENCE', async () => {
    const [advice] = await withSettings(new RecommendationGenerator(), config()).generate(
      contextWith([[sequence(27, 30)], []]),
    );
    expect(advice).toMatchObject({
      key: 'next:open>save',
      value: 0.9,
      baseline: 0.5,
      evidence: { patternIds: ['p-1'], aggregate: { users: 27, contextUsers: 30 } },
    });
    expect(
      await withSettings(new RecommendationGenerator(), config()).generate(contextWith([[sequence(10, 17)], []])),
    ).toHaveLength(0);
  });

  it('recommends a correction made by a large enough share of the module’s correcting users', async () => {
    const correction = {
      id: 'p-2',
      pattern_type: 'correction',
      module: 'm',
      items: { original: 'teh', corrected: 'the' },
      support: 30,
      occurrences: '40',
      confidence: null,
    };
    const found = await withSettings(new RecommendationGenerator(), config()).generate(
      contextWith([[correction], [{ module: 'm', users: 100 }]]),
    );
    expect(found).toMatchObject([{ key: 'correction:p-2', value: 0.3, support: 30 }]);
    expect(found[0].title).toContain('"teh" → "the"');
    const diluted = await withSettings(new RecommendationGenerator(), config()).generate(
      contextWith([[correction], [{ module: 'm', users: 5000 }]]),
    );
    expect(diluted).toHaveLength(0);
  });
});

describe('SummaryGenerator', () => {
  it('summarizes a module of k users, not one of k-1, and hides counts between 1 and k-1', async () => {
    const rows = [activity('a', [K, K - 1, K, K]), activity('b', [K - 1])];
    const found = await new SummaryGenerator().generate(contextWith([rows, [{ module: 'a', ids: ['p-9'] }]]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      module: 'a',
      value: K,
      significance: 1,
      evidence: { patternIds: ['p-9'], aggregate: { users: K, rating: K, satisfied: K } },
    });
    expect(found[0].evidence.aggregate).not.toHaveProperty('correcting');
  });
});
