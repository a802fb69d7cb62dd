import { GenerationService } from '../../src/modules/insights/generation.service';
import { ChannelReachGenerator, ExtraGeneratorModule } from '../support/extra-generator.module';
import { useSuiteDatabase } from '../support/suite';
import { createTestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

/**
 * Stopping an instance while the generation that follows a mining run waits to retry (another generation was
 * running): the shutdown ends the wait, and nothing starts on the closed pools afterwards.
 */
describe('Insights: the generation after mining when the instance stops (e2e)', () => {
  const suite = useSuiteDatabase();
  afterEach(() => ChannelReachGenerator.control.gate.release());

  it('stops retrying at shutdown instead of starting on closed pools', async () => {
    const t = await createTestApp({ databaseUrl: suite.db.url, imports: [ExtraGeneratorModule] });
    const admin = `Bearer ${t.token('admin-shutdown', ['admin'])}`;
    const { gate } = ChannelReachGenerator.control;
    gate.block();
    expect((await t.http.post('/api/v1/insights/generate').set('authorization', admin)).status).toBe(202);
    await gate.entered; // a generation runs, held inside a generator
    expect((await t.http.post('/api/v1/patterns/mine').set('authorization', admin)).status).toBe(202);
    await waitFor(
      async () => (await suite.pg.query<{ status: string }>('SELECT status FROM mining_runs')).rows[0]?.status,
      (status) => status === 'succeeded',
      10_000,
    );
    // The generation after that run found one running and waits to retry (every 3 s).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const starts = jest.spyOn(t.app.get(GenerationService), 'start');
    const closed = t.close();
    setTimeout(() => gate.release(), 100);
    await closed;
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(starts).not.toHaveBeenCalled();
  });
});
