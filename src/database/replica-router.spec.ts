import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config/app-config';
import { ReplicaRouter } from './replica-router';

/** A router over a replica that answers `replay` to every "has it replayed this far?" probe. */
function routerWith(replay: () => Promise<boolean>, maxLagSeconds: number, configured = true) {
  const probes: string[] = [];
  const pool = {
    query: jest.fn(async (sql: string) => {
      probes.push(sql);
      if (sql.includes('pg_current_wal_lsn')) return { rows: [{ lsn: '0/10', now: new Date() }] };
      return { rows: [{ caught: await replay() }] };
    }),
  };
  const em = { getConnection: () => ({ getNativeClient: async () => pool }) } as unknown as EntityManager;
  const replicaUrl = configured ? 'postgres://replica/db' : undefined;
  const config = { database: { replicaUrl, replicaMaxLagSeconds: maxLagSeconds } } as AppConfig;
  return { router: new ReplicaRouter(em, config), probes };
}

describe(ReplicaRouter.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** The source chosen for `purpose`, and how long (fake) it waited. */
  async function choose(router: ReplicaRouter, purpose: 'run' | 'export') {
    const started = Date.now();
    let waitedMs = NaN;
    const chosen = router.sourceFor(await router.mark(), purpose).then((source) => {
      waitedMs = Date.now() - started;
      return source;
    });
    await jest.advanceTimersByTimeAsync(60_000);
    return { ...(await chosen), waitedMs };
  }

  it('reads the replica once it has replayed the mark, counting where each purpose read', async () => {
    const { router } = routerWith(async () => true, 30);
    const run = await choose(router, 'run');
    expect([run.source, run.fallback]).toEqual(['replica', undefined]);
    expect(await choose(router, 'export')).toMatchObject({ source: 'replica' });
    expect(router.reads).toEqual({ run: { primary: 0, replica: 1 }, export: { primary: 0, replica: 1 } });
  });

  it('a run waits REPLICA_MAX_LAG_SECONDS for a replica that stays behind, then reads the primary', async () => {
    const { router } = routerWith(async () => false, 7);
    const chosen = await choose(router, 'run');
    expect(chosen).toMatchObject({ source: 'primary', fallback: 'the replica is more than 7 s behind' });
    expect(chosen.waitedMs).toBeGreaterThanOrEqual(7000);
    expect(chosen.waitedMs).toBeLessThan(7200);
  });

  it('an export waits at most 5 s, or REPLICA_MAX_LAG_SECONDS when that is shorter', async () => {
    const long = await choose(routerWith(async () => false, 30).router, 'export');
    expect(long).toMatchObject({ source: 'primary', fallback: 'the replica is more than 5 s behind' });
    expect(long.waitedMs).toBeLessThan(5200);
    const short = await choose(routerWith(async () => false, 2).router, 'export');
    expect(short).toMatchObject({ source: 'primary', fallback: 'the replica is more than 2 s behind' });
    expect(short.waitedMs).toBeLessThan(2200);
  });

  it('does not wait for a replica that does not answer', async () => {
    const { router } = routerWith(() => Promise.reject(new Error('connect ECONNREFUSED')), 30);
    const chosen = await choose(router, 'run');
    expect(chosen).toMatchObject({ source: 'primary', fallback: 'the replica does not answer (connect ECONNREFUSED)' });
    expect(chosen.waitedMs).toBe(0);
  });

  it('without a replica, reads the primary and asks the database nothing', async () => {
    const { router, probes } = routerWith(async () => true, 30, false);
    const chosen = await choose(router, 'export');
    expect([chosen.source, chosen.fallback]).toEqual(['primary', undefined]);
    expect(probes).toEqual([]);
    expect(router.reads.export.primary).toBe(1);
  });
});
