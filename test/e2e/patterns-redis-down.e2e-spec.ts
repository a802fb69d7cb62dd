import { newUserId } from '../support/ids';
import { setConsent } from '../support/learning';
import { useSuiteDatabase } from '../support/suite';
import { ExtraMinerModule } from '../support/extra-miner.module';
import { withTestApps } from '../support/test-app';
import { waitFor } from '../support/wait';

/** A Redis that does not answer (nothing listens on the port) must not slow pattern reads down or fail them. */
describe('Patterns: reads while the Redis cache tier is down (e2e)', () => {
  const suite = useSuiteDatabase();

  it('answers from memory and the database, promptly', async () => {
    const options = {
      databaseUrl: suite.db.url,
      env: { REDIS_URL: 'redis://127.0.0.1:6399', MIN_USER_SUPPORT: '3', PATTERNS_CRON: 'off' },
      imports: [ExtraMinerModule],
    };
    await withTestApps([options], async ([one]) => {
      const service = `Bearer ${one.token('svc-down', ['service'])}`;
      const users = Array.from({ length: 3 }, () => newUserId());
      for (const u of users) await setConsent(one, u);
      await one.http
        .post('/api/v1/learning/events/batch')
        .set('authorization', service)
        .send({
          events: users.map((u) => ({
            userId: u,
            eventType: 'interaction',
            context: { module: 'down', action: 'visit', channel: 'web' },
            data: {},
          })),
        });
      const admin = `Bearer ${one.token('admin-down', ['admin'])}`;
      const started = await one.http.post('/api/v1/patterns/mine').set('authorization', admin);
      await waitFor(
        async () =>
          (
            await suite.pg.query<{ status: string }>('SELECT status FROM mining_runs WHERE id = $1', [
              started.body.runId,
            ])
          ).rows[0]?.status,
        (s) => s !== undefined && s !== 'running',
        20_000,
      );
      for (let i = 0; i < 3; i++) {
        const t0 = Date.now();
        const res = await one.http.get('/api/v1/patterns?type=extra&module=down').set('authorization', service);
        expect(res.status).toBe(200);
        expect(res.body.items.map((p: { signature: string }) => p.signature)).toEqual(['web']);
        expect(Date.now() - t0).toBeLessThan(1_000);
      }
    });
  });
});
