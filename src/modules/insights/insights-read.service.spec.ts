import { strictFake } from '../../../test/support/strict-fake';
import { PatternNotFoundError } from '../patterns/patterns.errors';
import type { PatternsReadService } from '../patterns/patterns-read.service';
import type { InsightRuns } from './insight-runs';
import type { InsightsCache } from './insights-cache.service';
import { InsightsReadService } from './insights-read.service';
import type { InsightsRepository, StoredInsight } from './insights.repository';

const ACTIVE = '0190a000-0000-7000-8000-000000000001';
const RETIRED = '0190a000-0000-7000-8000-000000000002';
const INSIGHT = '0190a000-0000-7000-8000-0000000000aa';

const row: StoredInsight = {
  id: INSIGHT,
  insight_type: 'recommendation',
  module: 'm',
  key: 'next:a>b',
  title: 'Suggest b after a',
  metric: 'next_action_confidence',
  value: 0.9,
  baseline: 0.5,
  change: null,
  significance: 0.999,
  support: 20,
  period_from: new Date('2026-11-29T00:00:00Z'),
  period_to: new Date('2026-12-06T00:00:00Z'),
  evidence: { patternIds: [ACTIVE, RETIRED], aggregate: { users: 20 } },
  stats: null,
  noised: false,
  run_id: INSIGHT,
  status: 'active',
  created_at: new Date(),
  updated_at: new Date(),
  expires_at: new Date(Date.now() + 86_400_000),
};

describe(InsightsReadService.name, () => {
  const sut = new InsightsReadService(
    strictFake<InsightsRepository>({ byId: () => Promise.resolve(row) }),
    strictFake<InsightRuns>({}),
    strictFake<InsightsCache>({ read: <T>(_key: string, load: () => Promise<T>) => load() }),
    strictFake<PatternsReadService>({
      get: (id: string) =>
        id === ACTIVE
          ? Promise.resolve({ id, status: 'active' } as Awaited<ReturnType<PatternsReadService['get']>>)
          : Promise.reject(new PatternNotFoundError()),
    }),
  );

  it('never names a retired evidence pattern to a non-admin', async () => {
    const seen = await sut.get(INSIGHT);
    expect(seen.evidence.patternIds).toEqual([ACTIVE]);
    expect(seen.patterns.map((p) => p.id)).toEqual([ACTIVE]);
  });

  it('shows an admin every evidence id, the retired ones too', async () => {
    const seen = await sut.get(INSIGHT, true);
    expect(seen.evidence.patternIds).toEqual([ACTIVE, RETIRED]);
    expect(seen.patterns.map((p) => p.id)).toEqual([ACTIVE]);
  });
});
