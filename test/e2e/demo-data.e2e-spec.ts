import { buildDemoEvents, DEMO_USERS } from '../../src/cli/demo-data';
import { setConsent } from '../support/learning';
import { useSuite } from '../support/suite';
import type { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/** What `npm run seed:demo` promises a newcomer: its data set, sent through the API, yields the planted patterns. */
describe('Demo data set (e2e)', () => {
  const suite = useSuite();
  let t: TestApp;
  beforeAll(() => ({ t } = suite));

  it('is the same on every run and mines into the planted patterns', async () => {
    const now = Date.now();
    expect(buildDemoEvents(now)).toEqual(buildDemoEvents(now));
    const events = buildDemoEvents(now);
    expect(events.length).toBeGreaterThan(3000);

    const service = `Bearer ${t.token('svc-demo', ['service'])}`;
    for (const u of DEMO_USERS) await setConsent(t, u);
    for (let i = 0; i < events.length; i += 1000) {
      const res = await t.http
        .post('/api/v1/learning/events/batch')
        .set('authorization', service)
        .send({ events: events.slice(i, i + 1000) });
      expect(res.body.rejected).toBe(0);
    }
    const admin = `Bearer ${t.token('admin-demo', ['admin'])}`;
    const started = await t.http.post('/api/v1/patterns/mine').set('authorization', admin);
    await waitFor(
      async () =>
        (await t.http.get('/api/v1/patterns/runs').set('authorization', admin)).body.items.find(
          (r: { id: string }) => r.id === started.body.runId,
        )?.status,
      (status) => status === 'succeeded',
      20_000,
    );
    const find = async (query: string) =>
      (await t.http.get(`/api/v1/patterns?limit=100&${query}`).set('authorization', service)).body.items as Record<
        string,
        any
      >[];
    const sequences = await find('type=sequence&module=editor');
    expect(sequences.find((p) => p.signature === 'open_file>edit>save')?.support).toBeGreaterThanOrEqual(90);
    expect(sequences.find((p) => p.signature === 'open_file>edit>run_tests')?.support).toBeGreaterThanOrEqual(40);
    const corrections = await find('type=correction&module=editor');
    expect(corrections.map((p) => [p.items.original, p.items.corrected, p.support]).sort()).toEqual([
      ['recieve', 'receive', 12],
      ['teh', 'the', 35],
    ]);
    const feedback = Object.fromEntries((await find('type=feedback')).map((p) => [`${p.module}/${p.signature}`, p]));
    expect(feedback['editor/autocomplete'].stats.positiveShare).toBeGreaterThan(0.7);
    expect(feedback['chat/summarize'].stats.positiveShare).toBeLessThan(0.5);
    expect((await find('type=reported'))[0]).toMatchObject({
      support: 15,
      items: { patternType: 'workflow', signature: 'tdd-loop', items: ['edit', 'run_tests', 'write_test'] },
    });
    const predicted = await t.http
      .post('/api/v1/patterns/predict')
      .set('authorization', service)
      .send({ module: 'editor', recentActions: ['open_file', 'edit'] });
    expect(predicted.body.predictions[0].action).toBe('save');
  });
});
