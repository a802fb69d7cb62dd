import { consentingUsers, ingestAll } from '../support/learning';
import { endedRunStatus } from '../support/runs';
import { useSuiteDatabase } from '../support/suite';
import { channelVisit, ExtraMinerModule } from '../support/extra-miner.module';
import { withTestApps } from '../support/test-app';

/** A Redis that does not answer (nothing listens on the port) must not slow pattern reads down or fail them. */
describe('Patterns: reads while the Redis cache tier is down (e2e)', () => {
  const suite = useSuiteDatabase();

  it('answers from memory and the database, promptly', async () => {
    const options = {
      databaseUrl: suite.db.url,
      env: { REDIS_URL: 'redis://127.0.0.1:6399', MIN_USER_SUPPORT: '3' },
      imports: [ExtraMinerModule],
    };
    await withTestApps([options], async ([one]) => {
      const service = `Bearer ${one.token('svc-down', ['service'])}`;
      const users = await consentingUsers(one, 3);
      const events = users.map((u) => channelVisit(u, 'down', 'web'));
      await ingestAll(one, events);
      const admin = `Bearer ${one.token('admin-down', ['admin'])}`;
      const started = await one.http.post('/api/v1/patterns/mine').set('authorization', admin);
      expect(await endedRunStatus(suite.pg, 'mining_runs', started.body.runId)).toBe('succeeded');
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
