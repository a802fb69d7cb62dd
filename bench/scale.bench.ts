/**
 * `npm run bench:scale`: ten times the data, beside the base size in the same run. For each size (BENCH_SCALE_EVENTS,
 * 10,000,000 events of BENCH_SCALE_USERS, 250,000 consenting users, and a tenth of both), in a database of its own:
 *  - k = MIN_USER_SUPPORT at the same share of users at both sizes (1 in 2,000; at least 5);
 *  - seeds the events over 120 days in SQL (chunks of INSERT … SELECT over generate_series, progress printed):
 *    sessions of 10 events in 5 modules of 20 actions, 85 % interactions, 10 % feedback, 5 % one-off corrections;
 *  - a full mining run (MINING_WINDOW_DAYS 90) and the insight generation it starts: time, the process's peak RSS
 *    during the run (the service runs in this process; the large size runs first) and PostgreSQL's temp-file bytes;
 *  - the retention purge of the oldest month (DATA_RETENTION_DAYS 90: the 30 oldest days): time and rows;
 *  - the export of one user with BENCH_SCALE_EXPORT_EVENTS (100,000) events loaded through the ingest service:
 *    time, and the process's RSS growth while it streams.
 * Prints a table comparing each figure at 10× with the base size, against the targets (mining within 10× its base
 * time and under 1 GB of RSS). Uses BENCH_DATABASE_URL or an embedded PostgreSQL in a temp folder.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../src/common/auth/auth-user';
import { ConsentLedgerService } from '../src/modules/consent/consent-ledger.service';
import { MiningService } from '../src/modules/patterns/mining.service';
import { RetentionService } from '../src/modules/retention/retention.service';
import { startBenchApp, type BenchApp } from './support/bench-app';
import { openBenchDatabase, runBench } from './support/bench-database';
import { reportFigures, type BenchFigure } from './support/results';
import { loadUserEvents } from './support/user-events';

const EVENTS = Number(process.env.BENCH_SCALE_EVENTS ?? 10_000_000);
const USERS = Number(process.env.BENCH_SCALE_USERS ?? 250_000);
const DAYS = 120;
const SESSION = 10;
const CHUNK = 1_000_000;
const MB = 1024 * 1024;
const EXPORT_EVENTS = Number(process.env.BENCH_SCALE_EXPORT_EVENTS ?? 100_000);

interface SizeFigures {
  events: number;
  seedSeconds: number;
  miningSeconds: number;
  miningPeakRssMb: number;
  miningTempMb: number;
  patterns: number;
  generationSeconds: number;
  purgeSeconds: number;
  purgedEvents: number;
  failedMiners: number;
  exportSeconds: number;
  exportRssGrowthMb: number;
  /** Each miner's time in the run. */
  miners: Record<string, number>;
}

/** k at the same share of users at every size (1 in 2,000), so both sizes mine patterns of the same relative support. */
const kFor = (users: number) => Math.max(5, Math.round(users / 2000));

async function measure(events: number, users: number): Promise<SizeFigures> {
  const db = await openBenchDatabase(`scale${events}`, 4);
  const pool = await db.orm.em.getConnection().getNativeClient();
  const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    (await pool.query(sql, params)).rows as T[];
  try {
    const t0 = performance.now();
    await q(
      `INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version)
       SELECT md5('u' || i)::uuid, true, 'bench' FROM generate_series(0, $1 - 1) i`,
      [users],
    );
    const sessions = Math.ceil(events / SESSION);
    for (let from = 0; from < events; from += CHUNK) {
      const to = Math.min(events, from + CHUNK);
      await q(
        `INSERT INTO global_learning_events (id, user_id, event_type, module, action, session_id, timestamp, received_at, rating, signature, payload, key_id)
         SELECT gen_random_uuid(), md5('u' || ((g / ${SESSION}) % $3))::uuid, k.kind, 'm' || ((g / ${SESSION}) % 5),
                'a' || lpad(floor(random() * 20)::text, 2, '0'), 's' || (g / ${SESSION}),
                now() - interval '${DAYS} days' + (g / ${SESSION}) * (interval '${DAYS} days' / $4) + (g % ${SESSION}) * interval '1 second',
                now(),
                CASE WHEN k.kind = 'feedback' THEN floor(random() * 5)::int + 1 END,
                CASE WHEN k.kind = 'correction' THEN md5('noise' || g) END,
                '\\x00'::bytea, 'bench'
           FROM generate_series($1::bigint, $2::bigint - 1) g,
                LATERAL (SELECT CASE WHEN r < 0.85 THEN 'interaction' WHEN r < 0.95 THEN 'feedback' ELSE 'correction' END AS kind
                           FROM (SELECT random() + g * 0 AS r) x) k`,
        [from, to, users, sessions],
      );
      const elapsed = (performance.now() - t0) / 1000;
      process.stderr.write(
        `\r  seeding ${events.toLocaleString('en')} events: ${Math.round((100 * to) / events)} % (${elapsed.toFixed(0)} s)`,
      );
    }
    process.stderr.write('\n');
    await q('ANALYZE');
    const seedSeconds = (performance.now() - t0) / 1000;

    const bench = await startBenchApp(db.url, {
      PATTERNS_CRON: 'off',
      RETENTION_CRON: 'off',
      MIN_USER_SUPPORT: String(kFor(users)),
    });
    try {
      const tempBytes = async () => {
        await q('SELECT pg_stat_clear_snapshot()');
        const [row] = await q<{ b: string }>(
          'SELECT temp_bytes::text AS b FROM pg_stat_database WHERE datname = current_database()',
        );
        return Number(row.b);
      };
      const tempBefore = await tempBytes();
      let rssPeak = process.memoryUsage().rss;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
      const m0 = performance.now();
      const start = await bench.app.get(MiningService).start('manual', 'bench');
      if (!start.started) throw new Error('a mining run was already running');
      const run = await start.finished;
      const miningSeconds = (performance.now() - m0) / 1000;
      clearInterval(sampler);
      if (run.status === 'failed') throw new Error(`mining run failed: ${run.error}`);
      const miningTempMb = (await new Promise((r) => setTimeout(r, 600)).then(tempBytes)) - tempBefore;
      const [{ n: patterns }] = await q<{ n: number }>(
        "SELECT count(*)::int AS n FROM global_patterns WHERE status = 'active'",
      );
      const generation = await waitForGeneration(q);

      const p0 = performance.now();
      const purge = await bench.app.get(RetentionService).start('manual', false, 'bench');
      if (!purge.started) throw new Error('a purge was already running');
      const purged = await purge.finished;
      const purgeSeconds = (performance.now() - p0) / 1000;
      const exported = await exportOfOneUser(bench);
      return {
        events,
        seedSeconds,
        miningSeconds,
        miningPeakRssMb: rssPeak / MB,
        miningTempMb: miningTempMb / MB,
        patterns,
        generationSeconds: generation,
        purgeSeconds,
        purgedEvents: purged.report.learning_events ?? 0,
        failedMiners: run.report.filter((r) => r.error).length,
        exportSeconds: exported.seconds,
        exportRssGrowthMb: exported.rssGrowthMb,
        miners: Object.fromEntries(run.report.map((r) => [r.miner, r.durationMs / 1000])),
      };
    } finally {
      await bench.close();
    }
  } finally {
    await db.close();
  }
}

/**
 * One user with EXPORT_EVENTS events, loaded through the ingest service (real encryption) into the large table, then
 * their export streamed over HTTP as a client reads it: its time, and the growth of the process's RSS meanwhile.
 */
async function exportOfOneUser(bench: BenchApp): Promise<{ seconds: number; rssGrowthMb: number }> {
  const user = randomUUID();
  const service: AuthUser = { sub: 'bench-service', roles: ['service'] };
  await bench.app
    .get(ConsentLedgerService)
    .change(user, { allowCollectiveLearning: true, policyVersion: '1' }, service, false);
  await loadUserEvents(bench, user, EXPORT_EVENTS, service);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const res = await fetch(`${bench.baseUrl}/api/v1/privacy/me/export`, {
    headers: { authorization: `Bearer ${bench.token(user, ['user'])}` },
  });
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  if (res.status !== 200 || bytes < EXPORT_EVENTS * 100)
    throw new Error(`export failed: ${res.status}, ${bytes} bytes`);
  return { seconds, rssGrowthMb: (peak - rssBefore) / MB };
}

/** The generation the mining run started by itself: its duration, once it has finished. */
async function waitForGeneration(q: <T>(sql: string) => Promise<T[]>): Promise<number> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const [run] = await q<{ status: string; duration_ms: number | null }>(
      'SELECT status, duration_ms FROM insight_runs ORDER BY started_at DESC LIMIT 1',
    );
    if (run && run.status !== 'running') return (run.duration_ms ?? 0) / 1000;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no insight generation finished within 10 minutes of the mining run');
}

async function main(): Promise<void> {
  // The large size first, so that its peak RSS is not raised by what the smaller run left in the heap.
  const scaled = await measure(EVENTS, USERS);
  const base = await measure(EVENTS / 10, USERS / 10);
  const rows: [string, (f: SizeFigures) => number, string, string?][] = [
    ['seed (SQL)', (f) => f.seedSeconds, 's'],
    ['full mining run', (f) => f.miningSeconds, 's', 'at 10×: ≤ 10× the base time'],
    ['process peak RSS during the run', (f) => f.miningPeakRssMb, 'MB', 'at 10×: < 1,024 MB'],
    ['PostgreSQL temp files during the run', (f) => f.miningTempMb, 'MB'],
    ['active patterns', (f) => f.patterns, ''],
    ['miners that failed', (f) => f.failedMiners, ''],
    ['insight generation after the run', (f) => f.generationSeconds, 's'],
    ['purge of the oldest month', (f) => f.purgeSeconds, 's'],
    ['events purged', (f) => f.purgedEvents, ''],
    [`export of one user with ${EXPORT_EVENTS.toLocaleString('en')} events`, (f) => f.exportSeconds, 's'],
    ['RSS growth during that export', (f) => f.exportRssGrowthMb, 'MB', 'constant: about the same at both sizes'],
  ];
  const fmt = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(1));
  console.log(`\nk = ${kFor(USERS)} at ${EVENTS.toLocaleString('en')} events, ${kFor(USERS / 10)} at the base size`);
  console.log(
    `\n| measure | ${base.events.toLocaleString('en')} events | ${scaled.events.toLocaleString('en')} events | ratio | target |`,
  );
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const [name, of, unit, target] of rows) {
    const ratio = of(base) > 0 ? of(scaled) / of(base) : NaN;
    console.log(
      `| ${name} | ${fmt(of(base))} ${unit} | ${fmt(of(scaled))} ${unit} | ${Number.isNaN(ratio) ? '–' : `${ratio.toFixed(1)}×`} | ${target ?? ''} |`,
    );
  }
  console.log('\n| miner | base size | 10× | ratio |\n| --- | ---: | ---: | ---: |');
  for (const miner of Object.keys(scaled.miners)) {
    const [b, s] = [base.miners[miner] ?? 0, scaled.miners[miner]];
    console.log(`| ${miner} | ${b.toFixed(1)} s | ${s.toFixed(1)} s | ${b > 0 ? `${(s / b).toFixed(1)}×` : '–'} |`);
  }
  const miningRatio = scaled.miningSeconds / base.miningSeconds;
  const figures: BenchFigure[] = [
    {
      measure: `full mining run over ${scaled.events.toLocaleString('en')} events`,
      value: scaled.miningSeconds,
      unit: 's',
      baseline: { name: `${base.events.toLocaleString('en')} events`, value: base.miningSeconds },
      target: '≤ 10× the base time',
      met: miningRatio <= 10,
    },
    {
      measure: 'peak RSS during the 10× mining run',
      value: scaled.miningPeakRssMb,
      unit: 'MB',
      target: '< 1,024 MB',
      met: scaled.miningPeakRssMb < 1024,
    },
    { measure: 'PostgreSQL temp files during the 10× run', value: scaled.miningTempMb, unit: 'MB' },
    { measure: 'purge of the oldest month at 10×', value: scaled.purgeSeconds, unit: 's' },
  ];
  reportFigures('scale', figures);
}

runBench(main);
