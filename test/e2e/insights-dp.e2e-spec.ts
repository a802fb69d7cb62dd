import { newUserId } from '../support/ids';
import { setConsent } from '../support/learning';
import { useSuite } from '../support/suite';
import type { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const TRUE_USERS = 40;
const MODULES = ['dp1', 'dp2', 'dp3', 'dp4', 'dp5'];

describe('Insights with differential privacy (e2e)', () => {
  const suite = useSuite({
    env: { MIN_USER_SUPPORT: '5', INSIGHTS_DP_EPSILON: '0.2' },
  });
  let t: TestApp;
  beforeAll(() => ({ t } = suite));

  const admin = () => `Bearer ${t.token('admin-1', ['admin'])}`;
  const service = () => `Bearer ${t.token('svc-dp', ['service'])}`;

  async function generate(): Promise<void> {
    const res = await t.http.post('/api/v1/insights/generate').set('authorization', admin());
    expect(res.status).toBe(202);
    await waitFor(
      async () =>
        (await t.http.get('/api/v1/insights/runs?limit=10').set('authorization', admin())).body.items.find(
          (r: { id: string }) => r.id === res.body.runId,
        ),
      (run) => run !== undefined && run.status === 'succeeded',
      20_000,
    );
  }

  const summaries = async () =>
    (
      (await t.http.get('/api/v1/insights?type=summary&limit=100').set('authorization', service())).body.items as {
        module: string;
        value: number;
        noised: boolean;
        evidence: { aggregate: Record<string, number> };
      }[]
    )
      .filter((i) => MODULES.includes(i.module))
      .sort((a, b) => a.module.localeCompare(b.module));

  it('publishes noised counts, the same noise on every read and every regeneration over the same data', async () => {
    const users = Array.from({ length: TRUE_USERS }, () => newUserId());
    for (const u of users) await setConsent(t, u);
    const at = new Date(Date.now() - 86_400_000).toISOString();
    const events = MODULES.flatMap((module) =>
      users.map((userId) => ({
        userId,
        eventType: 'interaction',
        context: { module, action: 'visit' },
        data: {},
        timestamp: at,
      })),
    );
    const ingested = await t.http
      .post('/api/v1/learning/events/batch')
      .set('authorization', service())
      .send({ events });
    expect(ingested.body.accepted).toBe(events.length);

    await generate();
    const first = await summaries();
    // Scale 1/ε = 5: each module's count is 40 plus noise; five exact counts would be a 1-in-10⁷ event.
    expect(first.length).toBeGreaterThanOrEqual(1);
    expect(first.every((s) => s.noised)).toBe(true);
    expect(first.some((s) => s.value !== TRUE_USERS)).toBe(true);
    expect(first.every((s) => Math.abs(s.value - TRUE_USERS) < 100)).toBe(true);
    expect(first.every((s) => s.evidence.aggregate.users === s.value)).toBe(true);

    expect(await summaries()).toEqual(first);
    await generate();
    const figures = (list: typeof first) =>
      list.map((s) => ({ module: s.module, value: s.value, aggregate: s.evidence.aggregate }));
    expect(figures(await summaries())).toEqual(figures(first));
  });
});
