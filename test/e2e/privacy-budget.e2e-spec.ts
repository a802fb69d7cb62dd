import { randomUUID } from 'node:crypto';
import { PrivacyBudget } from '../../src/modules/disclosure/privacy-budget.service';
import { newUserId } from '../support/ids';
import { setConsent } from '../support/learning';
import { useSuiteApps } from '../support/suite';

const CAP = 10;

describe('Privacy budget: ledger, cap across instances, GET /privacy/budget (e2e)', () => {
  const env = { PRIVACY_BUDGET_EPSILON: String(CAP), PRIVACY_BUDGET_DAYS: '30' };
  const suite = useSuiteApps([{ env }, { env }]);
  const admin = () => `Bearer ${suite.apps[0].token('admin-1', ['admin'])}`;

  it('never lets runs on two instances spend more than the cap, and audits every decision', async () => {
    const [one, two] = suite.apps.map((app) => app.app.get(PrivacyBudget));
    const runs = Array.from({ length: 30 }, () => randomUUID());
    const decisions = await Promise.all(runs.map((runId, i) => (i % 2 ? one : two).spend('mining', runId, 1, 1e-6)));
    expect(decisions.filter((d) => d.granted)).toHaveLength(CAP);
    const refused = decisions.filter((d) => !d.granted);
    expect(refused).toHaveLength(30 - CAP);
    expect(refused[0]).toMatchObject({ reason: expect.stringContaining('needs ε 1') });

    const { rows } = await suite.pg.query<{ epsilon: number; n: number }>(
      'SELECT sum(epsilon)::float8 AS epsilon, count(*)::int AS n FROM privacy_budget_spends',
    );
    expect(rows[0]).toEqual({ epsilon: CAP, n: CAP });
    const audited = await suite.pg.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_log WHERE action LIKE 'privacy.budget_%' GROUP BY action ORDER BY action`,
    );
    expect(audited.rows).toEqual([
      { action: 'privacy.budget_refused', n: 30 - CAP },
      { action: 'privacy.budget_spent', n: CAP },
    ]);
  });

  it('shows spent, remaining and the next refill to admins only', async () => {
    const res = await suite.apps[0].http.get('/api/v1/privacy/budget').set('authorization', admin());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      periodDays: 30,
      epsilon: { total: CAP, spent: CAP, remaining: 0 },
      delta: { total: 1e-4 },
    });
    const { rows } = await suite.pg.query<{ oldest: Date }>(
      'SELECT min(spent_at) AS oldest FROM privacy_budget_spends',
    );
    expect(Date.parse(res.body.nextRefillAt)).toBe(rows[0].oldest.getTime() + 30 * 86_400_000);
    const asService = await suite.apps[0].http
      .get('/api/v1/privacy/budget')
      .set('authorization', `Bearer ${suite.apps[0].token('svc', ['service'])}`);
    expect(asService.status).toBe(403);
  });

  it('keeps the ledger append-only, and an erasure gives nothing back', async () => {
    for (const statement of [
      'UPDATE privacy_budget_spends SET epsilon = 0.01',
      'DELETE FROM privacy_budget_spends',
      'TRUNCATE privacy_budget_spends',
    ])
      await expect(suite.pg.query(statement)).rejects.toThrow(/append-only/);

    const user = newUserId();
    await setConsent(suite.apps[0], user);
    const erased = await suite.apps[0].http.delete(`/api/v1/privacy/users/${user}`).set('authorization', admin());
    expect(erased.status).toBe(200);
    const status = await suite.apps[0].app.get(PrivacyBudget).status();
    expect(status.epsilon).toEqual({ total: CAP, spent: CAP, remaining: 0 });
  });
});
