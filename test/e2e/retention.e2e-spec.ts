import { SqlPool } from '../../src/database/sql-pool.service';
import { newUserId } from '../support/ids';
import { setConsent } from '../support/learning';
import { useSuite } from '../support/suite';
import { withTestApps } from '../support/test-app';
import type { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

const DAY_S = 86_400;

describe('Retention: policies, purge, dry runs, legal holds (e2e)', () => {
  const suite = useSuite({
    env: {
      DATA_RETENTION_DAYS: '90',
      PATTERN_RETENTION_DAYS: '180',
      INSIGHT_RETENTION_DAYS: '365',
      AUDIT_RETENTION_DAYS: '730',
      RUN_RETENTION_DAYS: '365',
    },
  });
  let t: TestApp;
  let sql: SqlPool;
  beforeAll(() => {
    ({ t } = suite);
    sql = t.app.get(SqlPool);
  });

  const admin = () => `Bearer ${t.token('admin-1', ['admin'])}`;

  /** `now() - days + offset seconds` as SQL. */
  const ago = (days: number, offsetSeconds: number) => `now() - interval '${days * DAY_S - offsetSeconds} seconds'`;

  async function event(userId: string, at: string, tag: string): Promise<void> {
    await sql.query(
      `INSERT INTO global_learning_events (id, user_id, event_type, module, action, timestamp, received_at, payload, key_id)
       VALUES (gen_random_uuid(), $1, 'interaction', 'ret', $2, ${at}, now(), '\\x00'::bytea, 'test')`,
      [userId, tag],
    );
  }

  async function pattern(tag: string, lastSeen: string): Promise<void> {
    await sql.query(
      `INSERT INTO global_patterns (id, pattern_type, module, signature, items, support, occurrences, first_seen, last_seen, run_id, status)
       VALUES (gen_random_uuid(), 'sequence', 'ret', $1, '{}', 5, 5, ${lastSeen}, ${lastSeen}, gen_random_uuid(), 'active')`,
      [tag],
    );
  }

  async function insight(key: string, updatedAt: string, expiresAt: string): Promise<void> {
    await sql.query(
      `INSERT INTO collective_insights (id, insight_type, module, key, title, metric, value, significance, support, period_from, period_to, evidence, noised, run_id, status, updated_at, expires_at)
       VALUES (gen_random_uuid(), 'summary', 'ret', $1, 't', 'm', 1, 1, 5, now(), now(), '{"patternIds":[],"aggregate":{}}', false, gen_random_uuid(), 'active', ${updatedAt}, ${expiresAt})`,
      [key],
    );
  }

  async function audit(action: string, at: string, target: string | null = null): Promise<void> {
    await sql.query(
      `INSERT INTO audit_log (id, at, actor, actor_type, action, target, outcome) VALUES (gen_random_uuid(), ${at}, 'test', 'system', $1, $2, 'success')`,
      [action, target],
    );
  }

  async function miningRun(startedAt: string): Promise<string> {
    const [row] = await sql.query<{ id: string }>(
      `INSERT INTO mining_runs (id, trigger, window_from, window_to, min_user_support, started_at, finished_at, status)
       VALUES (gen_random_uuid(), 'manual', now(), now(), 5, ${startedAt}, ${startedAt}, 'succeeded') RETURNING id`,
    );
    return row.id;
  }

  const exists = async (sqlText: string, params: unknown[] = []) => (await sql.query(sqlText, params)).length > 0;

  async function run(dryRun = false): Promise<Record<string, any>> {
    const res = await t.http.post('/api/v1/retention/run').set('authorization', admin()).send({ dryRun });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'running', dryRun });
    const done = await waitFor(
      async () =>
        (await t.http.get('/api/v1/retention/runs?limit=100').set('authorization', admin())).body.items.find(
          (r: { id: string }) => r.id === res.body.runId,
        ),
      (r) => r !== undefined && r.status !== 'running',
      20_000,
    );
    expect(done?.error ?? null).toBeNull();
    expect(done?.status).toBe('succeeded');
    return done!;
  }

  it('keeps what is one second inside each policy and purges what is one second outside; a dry run counts the same and touches nothing', async () => {
    const user = newUserId();
    await event(user, ago(90, -1), 'outside');
    await pattern('outside', ago(180, -1));
    await insight('outside', ago(365, -1), `now() + interval '1 day'`);
    await insight('expired', 'now()', `now() - interval '1 second'`);
    await audit('test.outside', ago(730, -1));
    const oldRun = await miningRun(ago(365, -1));
    const newerRun = await miningRun(ago(365, 10));

    const dry = await run(true);
    expect(dry.counts).toMatchObject({ learning_events: 1, patterns: 1, insights: 2, audit_log: 1, mining_runs: 1 });
    expect(await exists(`SELECT 1 FROM global_learning_events WHERE action = 'outside'`)).toBe(true);
    expect(await exists(`SELECT 1 FROM mining_runs WHERE id = $1`, [oldRun])).toBe(true);

    // One second inside each policy, written just before the purge starts (it takes its cutoffs when it starts).
    await event(user, ago(90, 1), 'inside');
    await pattern('inside', ago(180, 1));
    await insight('inside', ago(365, 1), `now() + interval '1 day'`);
    await audit('test.inside', ago(730, 1));
    const keptRun = await miningRun(ago(365, 1));
    const real = await run(false);
    expect(real.counts).toMatchObject(dry.counts);
    expect(await exists(`SELECT 1 FROM mining_runs WHERE id = $1`, [newerRun])).toBe(true);
    expect(real.cutoffs.learning_events).toBeDefined();
    expect(await exists(`SELECT 1 FROM global_learning_events WHERE action = 'inside'`)).toBe(true);
    expect(await exists(`SELECT 1 FROM global_learning_events WHERE action = 'outside'`)).toBe(false);
    expect(await exists(`SELECT 1 FROM global_patterns WHERE signature = 'inside'`)).toBe(true);
    expect(await exists(`SELECT 1 FROM global_patterns WHERE signature = 'outside'`)).toBe(false);
    expect(
      (await sql.query<{ key: string }>(`SELECT key FROM collective_insights WHERE module = 'ret' ORDER BY key`)).map(
        (r) => r.key,
      ),
    ).toEqual(['inside']);
    expect(await exists(`SELECT 1 FROM audit_log WHERE action = 'test.inside'`)).toBe(true);
    expect(await exists(`SELECT 1 FROM audit_log WHERE action = 'test.outside'`)).toBe(false);
    expect(await exists(`SELECT 1 FROM mining_runs WHERE id = $1`, [oldRun])).toBe(false);
    expect(await exists(`SELECT 1 FROM mining_runs WHERE id = $1`, [keptRun])).toBe(true);

    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toMatch(/retention_purged_rows_total\{data_class="learning_events"\} [1-9]/);
    expect(metrics.text).toMatch(/learning_oldest_event_age_seconds \d/);
  });

  it('never purges a held user, refuses their erasure, and purges once the hold is lifted', async () => {
    const held = newUserId();
    await event(held, ago(200, 0), 'held-old');
    await audit('test.about-held', ago(800, 0), held);
    const placed = await t.http
      .put(`/api/v1/retention/holds/${held}`)
      .set('authorization', admin())
      .send({ reason: 'case 2026-17' });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ userId: held, reason: 'case 2026-17', placedBy: 'admin-1' });

    await run(false);
    expect(await exists(`SELECT 1 FROM global_learning_events WHERE user_id = $1`, [held])).toBe(true);
    expect(await exists(`SELECT 1 FROM audit_log WHERE action = 'test.about-held'`)).toBe(true);

    const erase = await t.http.delete(`/api/v1/privacy/users/${held}`).set('authorization', admin());
    expect(erase.status).toBe(409);
    expect(erase.body.code).toBe('RETENTION.LEGAL_HOLD');
    expect(
      await exists(
        `SELECT 1 FROM audit_log WHERE action = 'privacy.erasure_refused' AND target = $1 AND outcome = 'denied'`,
        [held],
      ),
    ).toBe(true);
    const list = await t.http.get('/api/v1/retention/holds').set('authorization', admin());
    expect(list.body.items.map((h: { userId: string }) => h.userId)).toContain(held);

    expect((await t.http.delete(`/api/v1/retention/holds/${held}`).set('authorization', admin())).status).toBe(204);
    expect((await t.http.delete(`/api/v1/retention/holds/${held}`).set('authorization', admin())).status).toBe(404);
    await run(false);
    expect(await exists(`SELECT 1 FROM global_learning_events WHERE user_id = $1`, [held])).toBe(false);
  });

  it("turns a held user's withdrawal into an exclusion: their events stay, out of mining", async () => {
    const held = newUserId();
    await setConsent(t, held);
    const sent = await t.http
      .post('/api/v1/learning/events')
      .set('authorization', `Bearer ${t.token('svc-ret', ['service'])}`)
      .send({ userId: held, eventType: 'interaction', context: { module: 'ret', action: 'kept' }, data: {} });
    expect(sent.status).toBe(201);
    await t.http.put(`/api/v1/retention/holds/${held}`).set('authorization', admin()).send({ reason: 'case 2026-18' });
    await setConsent(t, held, false);
    expect(await exists(`SELECT 1 FROM global_learning_events WHERE user_id = $1`, [held])).toBe(true);
    expect(
      await exists(
        `SELECT 1 FROM audit_log WHERE action = 'consent.withdrawn' AND target = $1 AND details->>'action' = 'exclude'`,
        [held],
      ),
    ).toBe(true);
    await t.http.delete(`/api/v1/retention/holds/${held}`).set('authorization', admin());
  });

  it('runs once across instances: with the purge lock held elsewhere a start answers 409', async () => {
    await sql.withClient(async (other) => {
      await other.query(`SELECT pg_advisory_lock(hashtextextended('retention:purge', 0))`);
      try {
        const res = await t.http.post('/api/v1/retention/run').set('authorization', admin()).send({});
        expect(res.status).toBe(409);
        expect(res.body.code).toBe('RETENTION.RUN_IN_PROGRESS');
      } finally {
        await other.query(`SELECT pg_advisory_unlock(hashtextextended('retention:purge', 0))`);
      }
    });
  });

  it('purges once with two instances: while one purges (held behind a table lock) the other answers 409 with its run', async () => {
    const user = newUserId();
    await event(user, ago(100, 0), 'two-instances');
    const env = {};
    await withTestApps([{ databaseUrl: suite.db.url, env }], async ([other]) => {
      await sql.withClient(async (blocker) => {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE global_learning_events IN SHARE MODE');
        let first: { status: number; body: { runId: string } };
        try {
          first = await t.http.post('/api/v1/retention/run').set('authorization', admin()).send({});
          expect(first.status).toBe(202);
          const second = await other.http
            .post('/api/v1/retention/run')
            .set('authorization', `Bearer ${other.token('admin-2', ['admin'])}`)
            .send({});
          expect(second.status).toBe(409);
          expect(second.body).toMatchObject({ code: 'RETENTION.RUN_IN_PROGRESS', runId: first.body.runId });
        } finally {
          await blocker.query('ROLLBACK');
        }
        await waitFor(
          async () =>
            (
              await sql.query<{ status: string }>('SELECT status FROM retention_runs WHERE id = $1', [first.body.runId])
            )[0]?.status,
          (s) => s === 'succeeded',
          20_000,
        );
      });
    });
    expect(await exists(`SELECT 1 FROM global_learning_events WHERE action = 'two-instances'`)).toBe(false);
  });

  it('purges more rows than one batch holds, audit entries included', async () => {
    await sql.query(
      `INSERT INTO global_learning_events (id, user_id, event_type, module, action, timestamp, received_at, payload, key_id)
       SELECT gen_random_uuid(), gen_random_uuid(), 'interaction', 'bulk', 'old', now() - interval '95 days' - g * interval '1 second', now(), '\\x00'::bytea, 'test'
         FROM generate_series(1, 2500) g`,
    );
    await sql.query(
      `INSERT INTO audit_log (id, at, actor, actor_type, action, outcome) SELECT gen_random_uuid(), now() - interval '800 days', 'test', 'system', 'test.bulk', 'success' FROM generate_series(1, 1500)`,
    );
    const done = await run(false);
    // At least: rows other tests left one second inside a policy may have crossed it since.
    expect(done.counts.learning_events).toBeGreaterThanOrEqual(2500);
    expect(done.counts.audit_log).toBeGreaterThanOrEqual(1500);
    expect(await exists(`SELECT 1 FROM global_learning_events WHERE module = 'bulk'`)).toBe(false);
    expect(await exists(`SELECT 1 FROM audit_log WHERE action = 'test.bulk'`)).toBe(false);
    expect(
      await exists(`SELECT 1 FROM audit_log WHERE action = 'retention.run_requested' AND target = $1`, [done.id]),
    ).toBe(true);
  });

  it('finishes the work of a purge that died midway, marking it failed', async () => {
    const user = newUserId();
    for (let i = 0; i < 3; i++) await event(user, ago(120, i), `left-${i}`);
    const [dead] = await sql.query<{ id: string }>(
      `INSERT INTO retention_runs (id, trigger, dry_run, cutoffs, started_at, status) VALUES (gen_random_uuid(), 'schedule', false, '{}', now() - interval '1 hour', 'running') RETURNING id`,
    );
    const done = await run(false);
    expect(done.counts.learning_events).toBeGreaterThanOrEqual(3);
    expect(await exists(`SELECT 1 FROM global_learning_events WHERE user_id = $1`, [user])).toBe(false);
    const [row] = await sql.query<{ status: string; error: string }>(
      `SELECT status, error FROM retention_runs WHERE id = $1`,
      [dead.id],
    );
    expect(row).toMatchObject({ status: 'failed', error: expect.stringContaining('interrupted') });
  });

  it('shows its policies to admins only and answers bad input with 400 naming the field', async () => {
    const policies = await t.http.get('/api/v1/retention/policies').set('authorization', admin());
    expect(policies.status).toBe(200);
    expect(policies.body.items.map((p: { dataClass: string }) => p.dataClass)).toEqual([
      'learning_events',
      'patterns',
      'insights',
      'audit_log',
      'mining_runs',
      'insight_runs',
      'retention_runs',
    ]);
    expect(policies.body.items[0]).toMatchObject({ retentionDays: 90, legalHold: true });
    const service = `Bearer ${t.token('svc-ret', ['service'])}`;
    expect((await t.http.get('/api/v1/retention/policies').set('authorization', service)).status).toBe(403);
    expect((await t.http.post('/api/v1/retention/run').set('authorization', service).send({})).status).toBe(403);
    const bad = await t.http.post('/api/v1/retention/run').set('authorization', admin()).send({ dryRun: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['dryRun']);
    const badHold = await t.http
      .put('/api/v1/retention/holds/not-a-uuid')
      .set('authorization', admin())
      .send({ reason: '' });
    expect(badHold.status).toBe(400);
    expect(badHold.body.errors.map((e: { field: string }) => e.field)).toEqual(['userId']);
    const nul = await t.http
      .put(`/api/v1/retention/holds/${newUserId()}`)
      .set('authorization', admin())
      .send({ reason: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect(nul.body.errors[0].field).toBe('reason');
    // An id in capitals is the same user: stored and audited in lower case.
    const upper = newUserId().toUpperCase();
    const placed = await t.http
      .put(`/api/v1/retention/holds/${upper}`)
      .set('authorization', admin())
      .send({ reason: 'case' });
    expect(placed.body.userId).toBe(upper.toLowerCase());
    expect(
      await exists(`SELECT 1 FROM audit_log WHERE action = 'retention.hold_placed' AND target = $1`, [
        upper.toLowerCase(),
      ]),
    ).toBe(true);
    expect((await t.http.delete(`/api/v1/retention/holds/${upper}`).set('authorization', admin())).status).toBe(204);
  });
});
