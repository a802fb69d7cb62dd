/**
 * `npm run bench:mining`: a full mining run over a seeded synthetic data set, timed, with its results checked.
 *  - BENCH_MINING_USERS (10,000) consenting users and 500 who do not consent (250 without a record, 250 refused);
 *  - BENCH_MINING_EVENTS (1,000,000) events over 89 days in 5 modules of 20 actions: sessions of 10 events, 85 %
 *    interactions, 10 % feedback, 5 % corrections that nobody repeats (noise), generated in SQL with a fixed seed;
 *  - planted patterns of known support, some at or above k = MIN_USER_SUPPORT (5) and some just below, several
 *    also done by the non-consenting users (who must not count). Corrections and reports are ingested through the
 *    service (their payloads are really encrypted, as the miners decrypt examples).
 * Checks that every planted pattern at or above k is published with its exact support and none below it is, and
 * prints the run's duration, each miner's, and the Node process's peak memory growth during the run.
 * Uses BENCH_DATABASE_URL or an embedded PostgreSQL in a temp folder.
 */
import 'reflect-metadata';
import type { AuthUser } from '../src/common/auth/auth-user';
import { BlindIndexService } from '../src/modules/crypto/blind-index.service';
import { LearningIngestService } from '../src/modules/learning/learning-ingest.service';
import { MiningService } from '../src/modules/patterns/mining.service';
import { startBenchApp } from './support/bench-app';
import { openBenchDatabase, runBench } from './support/bench-database';

const USERS = Number(process.env.BENCH_MINING_USERS ?? 10_000);
const EVENTS = Number(process.env.BENCH_MINING_EVENTS ?? 1_000_000);
const K = 5;
const SESSION = 10;

interface Check {
  name: string;
  type: string;
  module: string;
  signature: string;
  /** Expected support; below K means: must not be published. */
  support: number;
}

async function main(): Promise<void> {
  const db = await openBenchDatabase('mining', 4);
  const bench = await startBenchApp(db.url, { PATTERNS_CRON: 'off', MIN_USER_SUPPORT: String(K) });
  // One connection for the generation: the random seed is per connection.
  const pg = await (await db.orm.em.getConnection().getNativeClient()).connect();
  const q = (sql: string, params: unknown[] = []) => pg.query(sql, params);
  try {
    const t0 = performance.now();
    // Users: deterministic ids. c<i> consent, n<i> have no record, r<i> refused.
    await q(`INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version) SELECT md5('c' || i)::uuid, true, 'bench' FROM generate_series(0, $1 - 1) i`, [USERS]);
    await q(`INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version) SELECT md5('r' || i)::uuid, false, 'bench' FROM generate_series(0, 249) i`);
    const outsiders = [...Array.from({ length: 250 }, (_, i) => `md5('n${i}')::uuid`), ...Array.from({ length: 250 }, (_, i) => `md5('r${i}')::uuid`)];
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
    const plantedCount = planted.length;

    const noise = Math.max(0, EVENTS - plantedCount - 300 - 50 - 29);
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
    const uid = async (i: number) => ((await q(`SELECT md5('c' || $1::text)::uuid AS id`, [i])).rows[0] as { id: string }).id;
    const when = () => new Date(Date.now() - 5 * 86_400_000 + (at += 10) * 1000).toISOString();
    const events: Record<string, unknown>[] = [];
    for (let i = 0; i < 300; i++) events.push({ userId: await uid(1000 + i), eventType: 'correction', context: { module: 'm3', action: 'fix' }, data: { original: i % 2 ? 'Teh' : 'teh ', corrected: 'the' }, timestamp: when() });
    for (let i = 0; i < K - 1; i++) events.push({ userId: await uid(1400 + i), eventType: 'correction', context: { module: 'm3', action: 'fix' }, data: { original: 'recieve', corrected: 'receive' }, timestamp: when() });
    for (let i = 0; i < 50; i++) events.push({ userId: await uid(1500 + i), eventType: 'feedback', context: { module: 'm4', action: 'p_rate' }, data: { rating: (i % 5) + 1 }, timestamp: when() });
    for (let i = 0; i < 25; i++) events.push({ userId: await uid(1600 + i), eventType: 'pattern_discovery', context: { module: 'm4', action: 'report' }, data: { patternType: 'workflow', signature: 'p-sig', items: ['alpha', 'beta'] }, timestamp: when() });
    for (let i = 0; i < K - 1; i++) events.push({ userId: await uid(1700 + i), eventType: 'pattern_discovery', context: { module: 'm4', action: 'report' }, data: { patternType: 'workflow', signature: 'p-rare', items: ['x'] }, timestamp: when() });
    for (let i = 0; i < events.length; i += 500) {
      const result = await ingest.ingestBatch(events.slice(i, i + 500), caller);
      if (result.rejected > 0) throw new Error(`planted events rejected: ${JSON.stringify(result.results.find((r) => r.status === 'rejected'))}`);
    }
    await q('VACUUM ANALYZE global_learning_events');
    const total = Number((await q('SELECT count(*) FROM global_learning_events')).rows[0].count);
    console.log(`data set: ${total.toLocaleString('en')} events, ${USERS.toLocaleString('en')} consenting users + 500 not, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

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
    for (const m of summary.miners) console.log(`| ${m.miner} | ${m.published} | ${m.durationMs}${m.error ? ` (error: ${m.error})` : ''} |`);
    console.log('');
    console.log(`full run: ${seconds.toFixed(2)} s over ${total.toLocaleString('en')} events (target < 20 s), status ${summary.status}`);
    console.log(`Node RSS growth during the run: ${((rssPeak - rssBefore) / 1024 / 1024).toFixed(1)} MB (the events stay in PostgreSQL)`);

    // Planted patterns: exact supports, nothing below k.
    const sha = async (domain: string, ...parts: string[]) => bench.app.get(BlindIndexService).compute(domain, ...parts);
    const checks: Check[] = [
      { name: 'sequence p_open>p_edit>p_save (300 users)', type: 'sequence', module: 'm1', signature: 'p_open>p_edit>p_save', support: 300 },
      { name: 'sequence p_open>p_edit (300 users)', type: 'sequence', module: 'm1', signature: 'p_open>p_edit', support: 300 },
      { name: 'sequence p_x>p_y (k users + 300 not consenting)', type: 'sequence', module: 'm2', signature: 'p_x>p_y', support: K },
      { name: 'sequence p_u>p_v (k-1 users + 100 not consenting)', type: 'sequence', module: 'm2', signature: 'p_u>p_v', support: K - 1 },
      { name: 'co-occurrence p_c1+p_c2 (30 of 40 users)', type: 'co_occurrence', module: 'm0', signature: 'p_c1+p_c2', support: 30 },
      { name: 'correction teh→the (300 users)', type: 'correction', module: 'm3', signature: await sha('correction', 'teh', 'the'), support: 300 },
      { name: 'correction recieve→receive (k-1 users)', type: 'correction', module: 'm3', signature: await sha('correction', 'recieve', 'receive'), support: K - 1 },
      { name: 'feedback p_rate (50 users)', type: 'feedback', module: 'm4', signature: 'p_rate', support: 50 },
      { name: 'reported workflow/p-sig (25 users)', type: 'reported', module: 'm4', signature: await sha('reported', 'workflow', 'p-sig'), support: 25 },
      { name: 'reported workflow/p-rare (k-1 users)', type: 'reported', module: 'm4', signature: await sha('reported', 'workflow', 'p-rare'), support: K - 1 },
    ];
    let failures = 0;
    console.log('');
    console.log('| planted | expected | published support | ok |');
    console.log('| --- | ---: | ---: | :---: |');
    for (const c of checks) {
      const row = (await q(`SELECT support FROM global_patterns WHERE status = 'active' AND pattern_type = $1 AND module = $2 AND signature = $3`, [c.type, c.module, c.signature])).rows[0] as { support: number } | undefined;
      const ok = c.support >= K ? row?.support === c.support : row === undefined;
      if (!ok) failures++;
      console.log(`| ${c.name} | ${c.support >= K ? c.support : 'not published'} | ${row?.support ?? '–'} | ${ok ? 'yes' : 'NO'} |`);
    }
    const noiseCorrections = Number((await q(`SELECT count(*) FROM global_patterns WHERE status = 'active' AND pattern_type = 'correction'`)).rows[0].count);
    const noiseOk = noiseCorrections === 1;
    if (!noiseOk) failures++;
    console.log(`| one-off corrections (noise) | not published | ${noiseCorrections - 1} published | ${noiseOk ? 'yes' : 'NO'} |`);
    const below = Number((await q(`SELECT count(*) FROM global_patterns WHERE status = 'active' AND support < $1`, [K])).rows[0].count);
    if (below > 0) failures++;
    console.log(`patterns published below k: ${below}`);
    if (failures > 0) {
      console.log(`${failures} check(s) failed`);
      process.exitCode = 1;
    }
  } finally {
    pg.release();
    await bench.close();
    await db.close();
  }
}

runBench(main);
