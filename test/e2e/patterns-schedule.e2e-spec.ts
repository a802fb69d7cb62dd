import { ChannelMiner, ExtraMinerModule } from '../support/extra-miner.module';
import { endedRunStatus, expectRunsNeverOverlapped } from '../support/runs';
import { useSuiteDatabase } from '../support/suite';
import { withTestApps, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

describe('Patterns: scheduled runs across instances (e2e)', () => {
  const suite = useSuiteDatabase();
  afterAll(() => ChannelMiner.control.gate.release());

  const skipped = async (t: TestApp) => {
    const text = (await t.http.get('/metrics')).text;
    return Number(/mining_runs_total\{trigger="schedule",status="skipped"\} (\d+)/.exec(text)?.[1] ?? 0);
  };

  it('starts runs on PATTERNS_CRON on every instance, and one runs while the others skip', async () => {
    const options = {
      databaseUrl: suite.db.url,
      env: { PATTERNS_CRON: '* * * * * *' },
      imports: [ExtraMinerModule],
    };
    ChannelMiner.control.gate.block(); // the first scheduled run stays in progress until released
    await withTestApps([options, options], async ([one, two]) => {
      await ChannelMiner.control.gate.entered;
      // Ticks every second on both instances: while the run is held, every other tick is skipped.
      const skips = await waitFor(
        async () => (await skipped(one)) + (await skipped(two)),
        (n) => n >= 3,
        10_000,
      );
      expect(skips).toBeGreaterThanOrEqual(3);
      const running = (await suite.pg.query(`SELECT id, trigger FROM mining_runs WHERE status = 'running'`)).rows;
      expect(running).toHaveLength(1);
      expect(running[0].trigger).toBe('schedule');
      ChannelMiner.control.gate.release();
      expect(await endedRunStatus(suite.pg, 'mining_runs', running[0].id, 10_000)).toBe('succeeded');
    });
    await expectRunsNeverOverlapped(suite.pg, 'mining_runs');
  });
});
