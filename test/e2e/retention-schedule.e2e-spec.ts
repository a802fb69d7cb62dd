import { expectRunsNeverOverlapped } from '../support/runs';
import { useSuiteDatabase } from '../support/suite';
import { withTestApps } from '../support/test-app';
import { waitFor } from '../support/wait';

describe('Retention: scheduled purges across instances (e2e)', () => {
  const suite = useSuiteDatabase();

  it('purges on RETENTION_CRON on every instance, one at a time, and never overlaps', async () => {
    const options = {
      databaseUrl: suite.db.url,
      env: { RETENTION_CRON: '* * * * * *' },
    };
    await suite.pg.query(
      `INSERT INTO global_learning_events (id, user_id, event_type, module, action, timestamp, received_at, payload, key_id)
       VALUES (gen_random_uuid(), gen_random_uuid(), 'interaction', 'sched', 'old', now() - interval '100 days', now(), '\\x00'::bytea, 'test')`,
    );
    await withTestApps([options, options], async () => {
      const runs = await waitFor(
        async () =>
          (
            await suite.pg.query<{ trigger: string; status: string }>(
              `SELECT trigger, status FROM retention_runs WHERE status <> 'running'`,
            )
          ).rows,
        (rows) => rows.length >= 3,
        15_000,
      );
      expect(runs.every((r) => r.trigger === 'schedule' && r.status === 'succeeded')).toBe(true);
    });
    expect((await suite.pg.query(`SELECT 1 FROM global_learning_events WHERE module = 'sched'`)).rowCount).toBe(0);
    await expectRunsNeverOverlapped(suite.pg, 'retention_runs');
  });
});
