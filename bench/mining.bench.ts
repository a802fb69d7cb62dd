/**
 * `npm run bench:mining`: a full mining run over a seeded synthetic data set, timed, with its results checked.
 *  - BENCH_MINING_USERS (10,000) consenting users and 500 who do not consent (250 without a record, 250 refused);
 *  - BENCH_MINING_EVENTS (1,000,000) events over 89 days in 5 modules of 20 actions: sessions of 10 events, 85 %
 *    interactions, 10 % feedback, 5 % corrections that nobody repeats (noise), generated in SQL with a fixed seed;
 *  - planted patterns of known support, some at or above k = MIN_USER_SUPPORT (5) and some just below, several
 *    also done by the non-consenting users (who must not count), and two gapped sequences (a random action
 *    between the two), one shared by 10 % of its module's users and one by fewer than MINING_GAPPED_MIN_SHARE. Corrections and reports are ingested through the
 *    service (their payloads are really encrypted, as the miners decrypt examples).
 * Checks that every planted pattern at or above k is published with its exact support and none below it is, and
 * prints the run's duration, each miner's, and the Node process's peak memory growth during the run. Then the insight
 * generation that the run starts by itself: its duration (target < 5 s) and whether the effects planted for it
 * (`support/insight-effects.ts`: a trend, a spike, a friction point, a control module) are found.
 * Then, in the same run, cached `GET /patterns` on the service (its own process, one instance) against a bare NestJS
 * route answering the same body, with autocannon for BENCH_SECONDS (10) each, in BENCH_ROUNDS (3) alternating rounds
 * whose medians are compared (BENCH_PROFILE_DIR: CPU profiles of
 * the service). BENCH_MINING_EVENTS and BENCH_MINING_USERS shrink the data set for quick runs (at least 1,800 users:
 * the planted patterns use user numbers up to that).
 * Uses BENCH_DATABASE_URL or an embedded PostgreSQL in a temp folder.
 */
import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthUser } from '../src/common/auth/auth-user';
import { BlindIndexService } from '../src/modules/crypto/blind-index.service';
import { LearningIngestService } from '../src/modules/learning/learning-ingest.service';
import { MiningService } from '../src/modules/patterns/mining.service';
import { closedLoad } from './support/closed-load';
import { checkInsights, plantInsightEffects } from './support/insight-effects';
import { startBenchApp } from './support/bench-app';
import { reportFigures, shareOfBaseline } from './support/results';
import { openBenchDatabase, runBench } from './support/bench-database';
import { percentile } from './support/percentile';
import { forkReady, startService, stop } from './support/processes';
import { checkTable, firstRow } from './support/checks';

const USERS = Number(process.env.BENCH_MINING_USERS ?? 10_000);
const EVENTS = Number(process.env.BENCH_MINING_EVENTS ?? 1_000_000);
const K = 5;
const SESSION = 10;
const READ_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface Check {
  name: string;
  type: string;
  module: string;
  signature: string;
  /** Expected support; below K means: must not be published. */
  support: number;
  /** False when a threshold above K withholds it (the gapped miner's share of users). */
  published?: boolean;
}

async function main(): Promise<void> {
  const db = await openBenchDatabase('mining', 4);
  // The service process of the read phase shares these keys (it must unwrap the same system keys).
  const keys = { JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  const bench = await startBenchApp(db.url, { PATTERNS_CRON: 'off', MIN_USER_SUPPORT: String(K), ...keys });
  let benchOpen = true;
  const closeBench = async () => {
    if (benchOpen) await bench.close();
    benchOpen = false;
  };
  // One connection for the generation: the random seed is per connection.
  const pg = await (await db.orm.em.getConnection().getNativeClient()).connect();
  const q = (sql: string, params: unknown[] = []) => pg.query(sql, params);
  try {
    const t0 = performance.now();
    // Users: deterministic ids. c<i> consent, n<i> have no record, r<i> refused.
    await q(
      `INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version) SELECT md5('c' || i)::uuid, true, 'bench' FROM generate_series(0, $1 - 1) i`,
      [USERS],
    );
    await q(
      `INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version) SELECT md5('r' || i)::uuid, false, 'bench' FROM generate_series(0, 249) i`,
    );
    const outsiders = [
      ...Array.from({ length: 250 }, (_, i) => `md5('n${i}')::uuid`),
      ...Array.from({ length: 250 }, (_, i) => `md5('r${i}')::uuid`),
    ];
    const user = (i: number) => `md5('c${i}')::uuid`;

    // Noise, in SQL with a fixed seed.
    const planted: string[] = [];
    const stamp = (offsetSeconds: number) => `now() - interval '10 days' + interval '${offsetSeconds} seconds'`;
    const session = (who: string, module: string, sessionId: string, actions: string[], at: number) =>
      actions.map((a, i) => `(${who}, 'interaction', '${module}', '${a}', '${sessionId}', ${stamp(at + i)})`);
    let at = 0;
    const plantSequence = (users: string[], module: string, actions: string[], tag: string) =>
      users.forEach((u, i) => planted.push(...session(u, module, `plant-${tag}-${i}`, actions, (at += 100))));
    const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => user(from + i));
    plantSequence(range(0, 300), 'm1', ['p_open', 'p_edit', 'p_save'], 'big');
    plantSequence([...range(300, K), ...outsiders.slice(0, 300)], 'm2', ['p_x', 'p_y'], 'k');
    plantSequence([...range(400, K - 1), ...outsiders.slice(0, 100)], 'm2', ['p_u', 'p_v'], 'below');
    plantSequence(range(500, 30), 'm0', ['p_c1', 'p_c2'], 'co');
    plantSequence(range(530, 10), 'm0', ['p_c1'], 'co-alone');
    // Gapped: a random action between the two, so only the gapped miner sees them; 15 users (k or more) stay under 1 % of m3's 2,000 (each user's sessions are all in one module).
    const plantGapped = (users: string[], actions: [string, string], tag: string) =>
      users.forEach((u, i) =>
        planted.push(
          ...session(
            u,
            'm3',
            `plant-${tag}-${i}`,
            [actions[0], `a${String(i % 20).padStart(2, '0')}`, actions[1]],
            (at += 100),
          ),
        ),
      );
    plantGapped(range(600, 200), ['g_start', 'g_end'], 'gapped');
    plantGapped(range(800, 15), ['g_rare_start', 'g_rare_end'], 'gapped-rare');
    const plantedCount = planted.length;

    const insightEffects = await plantInsightEffects(q);
    const noise = Math.max(0, EVENTS - plantedCount - insightEffects - 300 - 50 - 29);
    const sessions = Math.ceil(noise / SESSION);
    await q(`SELECT setseed(0.42)`);
    await q(
      `INSERT INTO global_learning_events (id, user_id, event_type, module, action, session_id, timestamp, received_at, rating, signature, payload, key_id)
       SELECT gen_random_uuid(), md5('c' || ((g / ${SESSION}) % $2))::uuid, k.kind, 'm' || ((g / ${SESSION}) % 5), 'a' || lpad(floor(random() * 20)::text, 2, '0'),
              's' || (g / ${SESSION}), now() - interval '89 days' + (g / ${SESSION}) * (interval '89 days' / $3) + (g % ${SESSION}) * interval '1 second', now(),
              CASE WHEN k.kind = 'feedback' THEN floor(random() * 5)::int + 1 END,
              CASE WHEN k.kind = 'correction' THEN md5('noise' || g) END,
              '\\x00'::bytea, 'bench'
         FROM generate_series(0, $1 - 1) g,
              LATERAL (SELECT CASE WHEN r < 0.85 THEN 'interaction' WHEN r < 0.95 THEN 'feedback' ELSE 'correction' END AS kind FROM (SELECT random() + g * 0 AS r) x) k`,
      [noise, USERS, sessions],
    );
    await q(`INSERT INTO global_learning_events (id, user_id, event_type, module, action, session_id, timestamp, received_at, payload, key_id)
             SELECT gen_random_uuid(), v.u, v.t, v.m, v.a, v.s, v.ts, now(), '\\x00'::bytea, 'bench'
               FROM (VALUES ${planted.join(', ')}) AS v(u, t, m, a, s, ts)`);

    // Corrections, feedback and reports through the service: real encrypted payloads.
    const ingest = bench.app.get(LearningIngestService);
    const caller: AuthUser = { sub: 'bench-service', roles: ['service'] };
    const uid = async (i: number) =>
      ((await q(`SELECT md5('c' || $1::text)::uuid AS id`, [i])).rows[0] as { id: string }).id;
    const when = () => new Date(Date.now() - 5 * 86_400_000 + (at += 10) * 1000).toISOString();
    const events: Record<string, unknown>[] = [];
    /** One event of each of `count` consenting users from number `firstUser` on (`event(i)` for the i-th). */
    const plantEvents = async (count: number, firstUser: number, event: (i: number) => Record<string, unknown>) => {
      for (let i = 0; i < count; i++) events.push({ userId: await uid(firstUser + i), ...event(i), timestamp: when() });
    };
    await plantEvents(300, 1000, (i) => ({
      eventType: 'correction',
      context: { module: 'm3', action: 'fix' },
      data: { original: i % 2 ? 'Teh' : 'teh ', corrected: 'the' },
    }));
    await plantEvents(K - 1, 1400, () => ({
      eventType: 'correction',
      context: { module: 'm3', action: 'fix' },
      data: { original: 'recieve', corrected: 'receive' },
    }));
    await plantEvents(50, 1500, (i) => ({
      eventType: 'feedback',
      context: { module: 'm4', action: 'p_rate' },
      data: { rating: (i % 5) + 1 },
    }));
    await plantEvents(25, 1600, () => ({
      eventType: 'pattern_discovery',
      context: { module: 'm4', action: 'report' },
      data: { patternType: 'workflow', signature: 'p-sig', items: ['alpha', 'beta'] },
    }));
    await plantEvents(K - 1, 1700, () => ({
      eventType: 'pattern_discovery',
      context: { module: 'm4', action: 'report' },
      data: { patternType: 'workflow', signature: 'p-rare', items: ['x'] },
    }));
    for (let i = 0; i < events.length; i += 500) {
      const result = await ingest.ingestBatch(events.slice(i, i + 500), caller);
      if (result.rejected > 0)
        throw new Error(
          `planted events rejected: ${JSON.stringify(result.results.find((r) => r.status === 'rejected'))}`,
        );
    }
    await q('VACUUM ANALYZE global_learning_events');
    const total = Number((await q('SELECT count(*) FROM global_learning_events')).rows[0].count);
    console.log(
      `data set: ${total.toLocaleString('en')} events, ${USERS.toLocaleString('en')} consenting users + 500 not, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // The run, with the process's memory sampled while it runs.
    const mining = bench.app.get(MiningService);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const start = await mining.start('manual', 'bench');
    if (!start.started) throw new Error('the run did not start');
    const summary = await start.finished;
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);

    console.log('');
    console.log('| miner | published | ms |');
    console.log('| --- | ---: | ---: |');
    for (const m of summary.report)
      console.log(`| ${m.miner} | ${m.published} | ${m.durationMs}${m.error ? ` (error: ${m.error})` : ''} |`);
    console.log('');
    console.log(
      `full run: ${seconds.toFixed(2)} s over ${total.toLocaleString('en')} events (target < 20 s), status ${summary.status}`,
    );
    console.log(
      `Node RSS growth during the run: ${((rssPeak - rssBefore) / 1024 / 1024).toFixed(1)} MB (the events stay in PostgreSQL)`,
    );
    reportFigures('patterns (npm run bench:mining)', [
      {
        measure: `full mining run over ${total.toLocaleString('en')} events`,
        value: seconds,
        unit: 's',
        target: '< 20 s',
        met: seconds < 20,
      },
      { measure: 'Node RSS growth during the run', value: (rssPeak - rssBefore) / 1024 / 1024, unit: 'MB' },
    ]);

    // Planted patterns: exact supports, nothing below k.
    const sha = async (domain: string, ...parts: string[]) =>
      bench.app.get(BlindIndexService).compute(domain, ...parts);
    const checks: Check[] = [
      {
        name: 'sequence p_open>p_edit>p_save (300 users)',
        type: 'sequence',
        module: 'm1',
        signature: 'p_open>p_edit>p_save',
        support: 300,
      },
      {
        name: 'sequence p_open>p_edit (300 users)',
        type: 'sequence',
        module: 'm1',
        signature: 'p_open>p_edit',
        support: 300,
      },
      {
        name: 'sequence p_x>p_y (k users + 300 not consenting)',
        type: 'sequence',
        module: 'm2',
        signature: 'p_x>p_y',
        support: K,
      },
      {
        name: 'sequence p_u>p_v (k-1 users + 100 not consenting)',
        type: 'sequence',
        module: 'm2',
        signature: 'p_u>p_v',
        support: K - 1,
      },
      {
        name: 'gapped sequence g_start>…>g_end (200 users)',
        type: 'sequence',
        module: 'm3',
        signature: 'gapped:g_start>g_end',
        support: 200,
      },
      {
        name: 'contiguous g_start>g_end (never contiguous)',
        type: 'sequence',
        module: 'm3',
        signature: 'g_start>g_end',
        support: 0,
      },
      {
        name: 'gapped g_rare_start>…>g_rare_end (15 users, under 1 % of m3)',
        type: 'sequence',
        module: 'm3',
        signature: 'gapped:g_rare_start>g_rare_end',
        support: 15,
        published: false,
      },
      {
        name: 'co-occurrence p_c1+p_c2 (30 of 40 users)',
        type: 'co_occurrence',
        module: 'm0',
        signature: 'p_c1+p_c2',
        support: 30,
      },
      {
        name: 'correction teh→the (300 users)',
        type: 'correction',
        module: 'm3',
        signature: await sha('correction', 'teh', 'the'),
        support: 300,
      },
      {
        name: 'correction recieve→receive (k-1 users)',
        type: 'correction',
        module: 'm3',
        signature: await sha('correction', 'recieve', 'receive'),
        support: K - 1,
      },
      { name: 'feedback p_rate (50 users)', type: 'feedback', module: 'm4', signature: 'p_rate', support: 50 },
      {
        name: 'reported workflow/p-sig (25 users)',
        type: 'reported',
        module: 'm4',
        signature: await sha('reported', 'workflow', 'p-sig'),
        support: 25,
      },
      {
        name: 'reported workflow/p-rare (k-1 users)',
        type: 'reported',
        module: 'm4',
        signature: await sha('reported', 'workflow', 'p-rare'),
        support: K - 1,
      },
    ];
    const header = '| planted | expected | published support | ok |';
    let failures = await checkTable(header, '| --- | ---: | ---: | :---: |', checks, async (c) => {
      const row = await firstRow<{ support: number }>(
        q,
        `SELECT support FROM global_patterns WHERE status = 'active' AND pattern_type = $1 AND module = $2 AND signature = $3`,
        [c.type, c.module, c.signature],
      );
      const publish = c.published ?? c.support >= K;
      const ok = publish ? row?.support === c.support : row === undefined;
      const expected = publish ? c.support : 'not published';
      return { ok, line: `| ${c.name} | ${expected} | ${row?.support ?? '–'} | ${ok ? 'yes' : 'NO'} |` };
    });
    const noiseCorrections = Number(
      (await q(`SELECT count(*) FROM global_patterns WHERE status = 'active' AND pattern_type = 'correction'`)).rows[0]
        .count,
    );
    const noiseOk = noiseCorrections === 1;
    if (!noiseOk) failures++;
    console.log(
      `| one-off corrections (noise) | not published | ${noiseCorrections - 1} published | ${noiseOk ? 'yes' : 'NO'} |`,
    );
    const below = Number(
      (await q(`SELECT count(*) FROM global_patterns WHERE status = 'active' AND support < $1`, [K])).rows[0].count,
    );
    if (below > 0) failures++;
    console.log(`patterns published below k: ${below}`);

    // The insight generation that the finished mining run started by itself.
    const generation = await waitForGeneration(q, started);
    console.log('');
    console.log('| generator | published | ms |');
    console.log('| --- | ---: | ---: |');
    for (const g of generation.generators)
      console.log(`| ${g.generator} | ${g.published} | ${g.durationMs}${g.error ? ` (error: ${g.error})` : ''} |`);
    console.log(
      `insight generation after the mining run: ${(generation.duration_ms / 1000).toFixed(2)} s (target < 5 s), status ${generation.status}`,
    );
    const failedPatterns = failures;
    failures += await checkInsights(q);
    reportFigures('patterns (npm run bench:mining)', [
      {
        measure: 'planted patterns found exact, none below k',
        value: failedPatterns,
        unit: 'failed checks',
        target: '0',
        met: failedPatterns === 0,
      },
      {
        measure: 'insight generation after the run',
        value: generation.duration_ms / 1000,
        unit: 's',
        target: '< 5 s',
        met: generation.duration_ms < 5000,
      },
      {
        measure: 'planted insights found, control clean',
        value: failures - failedPatterns,
        unit: 'failed checks',
        target: '0',
        met: failures === failedPatterns,
      },
    ]);
    if (failures > 0) {
      console.log(`${failures} check(s) failed`);
      process.exitCode = 1;
    }
    // The same data is mined again in DP mode at the end, by an app of its own.
    const published = async (table: string) =>
      Number((await q(`SELECT count(*) FROM ${table} WHERE status = 'active'`)).rows[0].count);
    const threshold = {
      mining: seconds,
      patterns: await published('global_patterns'),
      generation: generation.duration_ms / 1000,
      insights: await published('collective_insights'),
    };

    // The reads measure HTTP serving, not the mining run's aftermath: vacuum and write out now what autovacuum and
    // the checkpointer would otherwise do during the first rounds (they took a core of this machine for a while).
    await q('VACUUM ANALYZE');
    await q('CHECKPOINT');
    await cachedReads(db.url, keys);
    // Last, as it replaces the published patterns the reads above serve.
    await closeBench();
    await dpRound(db.url, keys, q, published, threshold);
  } finally {
    pg.release();
    await closeBench();
    await db.close();
  }
}

interface ModeFigures {
  mining: number;
  patterns: number;
  generation: number;
  insights: number;
}

/**
 * DP mode (DP_EPSILON=2, the other DP settings at their defaults) over the same data: the mining run and the
 * generation after it, timed, with what each published, beside the threshold mode's figures of the same run.
 */
async function dpRound(
  databaseUrl: string,
  keys: { JWT_SECRET: string; ENCRYPTION_KEY: string },
  q: (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  published: (table: string) => Promise<number>,
  threshold: ModeFigures,
): Promise<void> {
  const app = await startBenchApp(databaseUrl, {
    PATTERNS_CRON: 'off',
    MIN_USER_SUPPORT: String(K),
    DP_EPSILON: '2',
    PRIVACY_BUDGET_EPSILON: '1000',
    ...keys,
  });
  try {
    const started = performance.now();
    const start = await app.app.get(MiningService).start('manual', 'bench-dp');
    if (!start.started) throw new Error('the DP run did not start');
    const summary = await start.finished;
    const mining = (performance.now() - started) / 1000;
    const generation = await waitForGeneration(q, started);
    const dp: ModeFigures = {
      mining,
      patterns: await published('global_patterns'),
      generation: generation.duration_ms / 1000,
      insights: await published('collective_insights'),
    };
    console.log('');
    console.log('| mode | mining run | patterns published | insight generation | insights published |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const [mode, f] of [
      ['threshold (k)', threshold],
      ['DP (ε = 2 per run)', dp],
    ] as const)
      console.log(
        `| ${mode} | ${f.mining.toFixed(2)} s | ${f.patterns} | ${f.generation.toFixed(2)} s | ${f.insights} |`,
      );
    console.log(`DP run status ${summary.status}, generation ${generation.status}`);
    reportFigures('patterns (npm run bench:mining)', [
      { measure: 'full mining run, DP mode (ε = 2)', value: dp.mining, unit: 's' },
      { measure: 'patterns published, threshold mode', value: threshold.patterns, unit: 'patterns' },
      { measure: 'patterns published, DP mode (ε = 2)', value: dp.patterns, unit: 'patterns' },
      { measure: 'insight generation, DP mode (ε = 2)', value: dp.generation, unit: 's' },
      { measure: 'insights published, threshold / DP mode', value: dp.insights, unit: `of ${threshold.insights}` },
    ]);
  } finally {
    await app.close();
  }
}

interface GenerationRow {
  status: string;
  duration_ms: number;
  generators: { generator: string; published: number; durationMs: number; error?: string }[];
}

/** Waits for the first insight run that started after `since` (a performance.now() mark) to finish. */
async function waitForGeneration(
  q: (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  since: number,
): Promise<GenerationRow> {
  const after = new Date(Date.now() - (performance.now() - since));
  for (let i = 0; i < 600; i++) {
    const row = (
      await q(
        `SELECT status, duration_ms, generators FROM insight_runs WHERE started_at >= $1 AND status <> 'running' ORDER BY started_at LIMIT 1`,
        [after],
      )
    ).rows[0];
    if (row) return row as unknown as GenerationRow;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no insight generation finished within 60 s of the mining run');
}

/** Requests/s of cached `GET /patterns` (service process) against a bare NestJS route with the same JSON body. */
async function cachedReads(databaseUrl: string, keys: { JWT_SECRET: string; ENCRYPTION_KEY: string }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-reads-'));
  const children: ChildProcess[] = [];
  try {
    const secret = keys.JWT_SECRET;
    const port = 3950 + (process.pid % 40);
    const service = await startService({ port, databaseUrl, dataDir: dir, env: { ...keys } });
    children.push(service);
    const token = new JwtService().sign(
      { sub: 'bench-reader', roles: ['service'] },
      { secret, algorithm: 'HS256', expiresIn: 3600 },
    );
    const path = '/api/v1/patterns?type=sequence&module=m1&limit=20';
    const first = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await first.text();
    if (!first.ok) throw new Error(`GET /patterns answered ${first.status}: ${body}`);
    writeFileSync(join(dir, 'body.json'), body);
    const bare = await forkReady(join(__dirname, 'support', 'bare-nest.js'), [
      String(port + 1),
      join(dir, 'body.json'),
    ]);
    children.push(bare);

    const measure = async (name: string, url: string, headers: Record<string, string>) => {
      const result = await closedLoad({
        url,
        method: 'GET',
        connections: Number(process.env.BENCH_READ_CONNECTIONS ?? 16),
        warmupSeconds: 2,
        seconds: READ_SECONDS,
        headers,
      });
      const perSecond = result.ok / READ_SECONDS;
      console.log(
        `| ${name} | ${Math.round(perSecond)} | ${result.p50} | ${result.p99} | ${result.non2xx + result.errors} |`,
      );
      return perSecond;
    };
    console.log('');
    console.log(`| cached read (${(body.length / 1024).toFixed(1)} KB body) | requests/s | p50 ms | p99 ms | errors |`);
    console.log('| --- | ---: | ---: | ---: | ---: |');
    // Alternating rounds, medians compared, each round in the other order (service first, then bare first, …), so
    // that drift in the machine during the phase weighs on both sides alike.
    const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
    const oursRounds: number[] = [];
    const bareRounds: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const ours = async () =>
        oursRounds.push(
          await measure(
            `GET /patterns (JWT, guards, validation, cache hit), round ${round}`,
            `http://127.0.0.1:${port}${path}`,
            { authorization: `Bearer ${token}` },
          ),
        );
      const bareRound = async () =>
        bareRounds.push(
          await measure(`bare NestJS route, same body, round ${round}`, `http://127.0.0.1:${port + 1}/bare`, {}),
        );
      for (const side of round % 2 === 1 ? [ours, bareRound] : [bareRound, ours]) await side();
    }
    if (process.env.BENCH_READS_PROBE) {
      // Where the time goes: no auth and a small body; auth and guards only (403); auth, guards and a small page.
      await measure('probe: GET /health/live', `http://127.0.0.1:${port}/health/live`, {});
      await measure(
        'probe: GET /patterns/runs (403 after the guards)',
        `http://127.0.0.1:${port}/api/v1/patterns/runs`,
        { authorization: `Bearer ${token}` },
      );
      await measure(
        'probe: GET /patterns?limit=1',
        `http://127.0.0.1:${port}/api/v1/patterns?type=sequence&module=m1&limit=1`,
        { authorization: `Bearer ${token}` },
      );
    }
    const median = (values: number[]) =>
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      );
    const ours = median(oursRounds);
    const baseline = median(bareRounds);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const lookups = (result: string) =>
      Number(new RegExp(`cache_lookups_total\\{cache="patterns",result="${result}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    console.log(
      `pattern cache during the phase: ${lookups('hit')} hits, ${lookups('miss')} misses, ${lookups('error')} errors`,
    );
    console.log('');
    console.log(
      `cached GET /patterns: ${((100 * ours) / baseline).toFixed(0)} % of the bare NestJS route (medians of ${rounds} alternating rounds; target ≥ 70 %)`,
    );
    reportFigures('patterns (npm run bench:mining)', [
      shareOfBaseline(
        { measure: `cached GET /patterns (median of ${rounds})`, value: ours, unit: 'requests/s' },
        { name: `bare NestJS route, same body (median of ${rounds})`, value: baseline },
        0.7,
      ),
    ]);
  } finally {
    await Promise.all(children.map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
