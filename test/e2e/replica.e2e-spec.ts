import { ApiClientsService } from '../../src/modules/auth/api-clients.service';
import { newUserId } from '../support/ids';
import { OwnPostgres, findPgServerBin } from '../support/own-postgres';
import { consentingUsers, ingestAll, learningEvent } from '../support/learning';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const bin = findPgServerBin();
// CI sets REQUIRE_PG_TOOLS, so there the suite fails rather than being skipped when the tools are missing.
const runs = Boolean(bin) || Boolean(process.env.REQUIRE_PG_TOOLS);
const K = 3;

/**
 * Analytics on a real streaming replica: a primary of the test's own and a hot standby made from it with
 * pg_basebackup. Mining runs and insight generations read the replica once it has replayed what the primary had
 * when the run started; a replica that lags past REPLICA_MAX_LAG_SECONDS, or is down, sends them to the primary,
 * and /health says so. Published pages keep answering with the replica down.
 */
(runs ? describe : describe.skip)('Analytics on a streaming replica (e2e)', () => {
  let primary: OwnPostgres;
  let replica: OwnPostgres;
  let t: TestApp;
  const admin = () => `Bearer ${t.token('admin-replica', ['admin'])}`;

  beforeAll(async () => {
    if (!bin) throw new Error('REQUIRE_PG_TOOLS is set but no PostgreSQL server binaries are installed');
    primary = new OwnPostgres(bin);
    await primary.init();
    replica = new OwnPostgres(bin);
    await replica.initReplicaOf(primary);
    t = await createTestApp({
      databaseUrl: primary.url,
      env: {
        DATABASE_URL_REPLICA: replica.url,
        REPLICA_MAX_LAG_SECONDS: '2',
        MIN_USER_SUPPORT: String(K),
      },
    });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    replica?.destroy();
    primary?.destroy();
  });

  /** Feedback of `users` new consenting users on `module`: one feedback pattern supported by all of them. */
  async function feedbackFrom(users: number, module: string): Promise<void> {
    const ids = await consentingUsers(t, users);
    await ingestAll(
      t,
      ids.map((userId) => learningEvent(userId, 'feedback', { module, action: 'suggest' }, { rating: 5 })),
    );
  }

  async function mine(): Promise<Record<string, any>> {
    const res = await t.http.post('/api/v1/patterns/mine').set('authorization', admin());
    expect(res.status).toBe(202);
    const runId = res.body.runId as string;
    const run = await waitFor(
      async () =>
        (await t.http.get('/api/v1/patterns/runs?limit=20').set('authorization', admin())).body.items.find(
          (r: { id: string }) => r.id === runId,
        ) as Record<string, any> | undefined,
      (r) => r !== undefined && r.status !== 'running',
      30_000,
    );
    expect(run?.status).toBe('succeeded');
    return run!;
  }

  async function supportOf(module: string): Promise<number | undefined> {
    const res = await t.http
      .get(`/api/v1/patterns?type=feedback&module=${module}`)
      .set('authorization', `Bearer ${t.token(newUserId(), ['user'])}`);
    expect(res.status).toBe(200);
    return (res.body.items as { support: number }[])[0]?.support;
  }

  it('mines on the replica once it has replayed the run start, and generates insights there too', async () => {
    await feedbackFrom(K + 1, 'on-replica');
    const run = await mine();
    expect(run).toMatchObject({ readFrom: 'replica', readFallback: null });
    expect(await supportOf('on-replica')).toBe(K + 1);
    // The generation a finished mining run starts reads the patterns it wrote, from the replica as well.
    const generation = await waitFor(
      async () =>
        (await t.http.get('/api/v1/insights/runs?limit=5').set('authorization', admin())).body.items[0] as
          Record<string, any> | undefined,
      (r) => r !== undefined && r.status !== 'running',
      30_000,
    );
    expect(generation).toMatchObject({ readFrom: 'replica', readFallback: null });
    const metrics = (await t.http.get('/metrics')).text;
    expect(metrics).toMatch(/analytics_run_reads_total\{source="replica"\} [1-9]/);
    expect(metrics).toMatch(/database_replica_lag_seconds \d/);
  });

  it('reads the primary when the replica lags past REPLICA_MAX_LAG_SECONDS, and says so', async () => {
    replica.sql('SELECT pg_wal_replay_pause()');
    try {
      await feedbackFrom(K + 2, 'while-paused');
      const run = await mine();
      expect(run.readFrom).toBe('primary');
      expect(run.readFallback).toMatch(/more than 2 s behind/);
      // The primary has every event: nothing the replica has not replayed yet is missed.
      expect(await supportOf('while-paused')).toBe(K + 2);
      const health = await waitFor(
        async () => (await t.http.get('/health')).body as Record<string, any>,
        (body) => body.replica?.lagSeconds > 2,
        10_000,
      );
      expect(health).toMatchObject({ status: 'degraded', replica: { status: 'up' } });
      expect(health.reasons.join(' ')).toMatch(/read replica is .* behind/);
    } finally {
      replica.sql('SELECT pg_wal_replay_resume()');
    }
    await feedbackFrom(K, 'after-resume');
    expect((await mine()).readFrom).toBe('replica');
    expect(await supportOf('after-resume')).toBe(K);
  });

  /** `export_reads_total` by source, from /metrics. */
  async function exportReads(): Promise<{ replica: number; primary: number }> {
    const text = (await t.http.get('/metrics')).text;
    const of = (source: string) =>
      Number(new RegExp(`export_reads_total\\{source="${source}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { replica: of('replica'), primary: of('primary') };
  }

  async function exportOf(userId: string): Promise<{ clientEventId: string }[]> {
    const res = await t.http
      .get('/api/v1/privacy/me/export')
      .set('authorization', `Bearer ${t.token(userId, ['user'])}`);
    expect(res.status).toBe(200);
    return res.body.learningEvents as { clientEventId: string }[];
  }

  async function eventsOf(userId: string, count: number, tag: string): Promise<string[]> {
    const events = Array.from({ length: count }, (_, i) => ({
      ...learningEvent(userId, 'interaction', { module: 'export', action: 'a' }, { outcome: 'success' }),
      clientEventId: `${tag}-${i}`,
    }));
    await ingestAll(t, events);
    return events.map((e) => e.clientEventId);
  }

  it('exports from the replica once it has replayed the request, with every event written before it', async () => {
    const [user] = await consentingUsers(t, 1);
    const ids = await eventsOf(user, 5, 'fresh');
    const before = await exportReads();
    expect((await exportOf(user)).map((e) => e.clientEventId).sort()).toEqual(ids.sort());
    expect(await exportReads()).toEqual({ replica: before.replica + 1, primary: before.primary });
  });

  it('exports from the primary when the replica has not replayed the request in time, still with every event', async () => {
    const [user] = await consentingUsers(t, 1);
    const early = await eventsOf(user, 3, 'early');
    replica.sql('SELECT pg_wal_replay_pause()');
    try {
      const late = await eventsOf(user, 3, 'late');
      const before = await exportReads();
      expect((await exportOf(user)).map((e) => e.clientEventId).sort()).toEqual([...early, ...late].sort());
      expect(await exportReads()).toEqual({ replica: before.replica, primary: before.primary + 1 });
    } finally {
      replica.sql('SELECT pg_wal_replay_resume()');
    }
  });

  it('reads its own writes through the ORM while the replica lags: a new API client gets a token at once', async () => {
    replica.sql('SELECT pg_wal_replay_pause()');
    try {
      const client = await t.app.get(ApiClientsService).create('replica-client', ['service']);
      const res = await t.http.post('/api/v1/auth/token').send({ clientId: client.id, clientSecret: client.secret });
      expect(res.status).toBe(200);
    } finally {
      replica.sql('SELECT pg_wal_replay_resume()');
    }
  });

  it('reads the primary while the replica is down, keeps serving pages, and goes back to it when it returns', async () => {
    replica.stop();
    try {
      const health = (await t.http.get('/health')).body as Record<string, any>;
      expect(health).toMatchObject({ status: 'degraded', replica: { status: 'down' } });
      expect((await t.http.get('/health/ready')).status).toBe(200);
      // Pages read through the replica fall back to the primary.
      expect(await supportOf('on-replica')).toBe(K + 1);
      await feedbackFrom(K, 'replica-down');
      const run = await mine();
      expect(run.readFrom).toBe('primary');
      expect(run.readFallback).toMatch(/does not answer/);
      expect(await supportOf('replica-down')).toBe(K);
      // An export does not wait for a replica that does not answer.
      const [user] = await consentingUsers(t, 1);
      const ids = await eventsOf(user, 2, 'down');
      const before = await exportReads();
      expect((await exportOf(user)).map((e) => e.clientEventId).sort()).toEqual(ids.sort());
      expect(await exportReads()).toEqual({ replica: before.replica, primary: before.primary + 1 });
    } finally {
      replica.start();
    }
    await waitFor(
      async () => ((await t.http.get('/health')).body as Record<string, any>).replica?.status,
      (status) => status === 'up',
      20_000,
    );
    expect((await mine()).readFrom).toBe('replica');
  });
});
