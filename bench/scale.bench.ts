/**
 * `npm run bench:scale`: ten times the data, beside the base size in the same run. For each size (BENCH_SCALE_EVENTS,
 * 10,000,000 events of BENCH_SCALE_USERS, 250,000 consenting users, and a tenth of both), in a database of its own:
 *  - k = MIN_USER_SUPPORT at the same share of users at both sizes (1 in 2,000; at least 5);
 *  - seeds the events over 120 days in SQL (`seedEvents`, progress printed);
 *  - a full mining run (MINING_WINDOW_DAYS 90) and the insight generation it starts: time, the process's peak RSS
 *    during the run (the service runs in this process; the large size runs first) and PostgreSQL's temp-file bytes;
 *  - cached reads: published pattern pages, closed loop: requests a second and p99;
 *  - the retention purge of the oldest month (DATA_RETENTION_DAYS 90: the 30 oldest days): time and rows, and the
 *    p99 of single-event ingest over HTTP during it against the same load alone (target ≤ 2×);
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
import { closedLoad } from './support/closed-load';
import { pacedLoad } from './support/paced-load';
import { openBenchDatabase, runBench } from './support/bench-database';
import { reportFigures, type BenchFigure } from './support/results';
import { seedEvents } from './support/seed-events';
import { loadUserEvents } from './support/user-events';

const EVENTS = Number(process.env.BENCH_SCALE_EVENTS ?? 10_000_000);
const USERS = Number(process.env.BENCH_SCALE_USERS ?? 250_000);
const DAYS = 120;
const MB = 1024 * 1024;
const EXPORT_EVENTS = Number(process.env.BENCH_SCALE_EXPORT_EVENTS ?? 100_000);
const INGEST_USERS = 200;
const INGEST_RATE = 200;
const INGEST_SECONDS = 10;

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
  /** Single-event ingest p99 through HTTP at INGEST_RATE, alone and in the purge's first INGEST_SECONDS. */
  ingestP99AloneMs: number;
  ingestP99DuringPurgeMs: number;
  cachedReadsPerSecond: number;
  cachedReadP99Ms: number;
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
    const seedSeconds = await seedEvents(q, events, users, DAYS);

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

      const reads = await cachedReads(bench);
      const purge = await purgeUnderIngest(bench);
      const exported = await exportOfOneUser(bench);
      return {
        events,
        seedSeconds,
        miningSeconds,
        miningPeakRssMb: rssPeak / MB,
        miningTempMb: miningTempMb / MB,
        patterns,
        generationSeconds: generation,
        purgeSeconds: purge.seconds,
        purgedEvents: purge.purged,
        ingestP99AloneMs: purge.aloneP99,
        ingestP99DuringPurgeMs: purge.duringP99,
        cachedReadsPerSecond: reads.perSecond,
        cachedReadP99Ms: reads.p99,
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
 * Single events of INGEST_USERS consenting users (each with a data key, through the consent service) sent over HTTP
 * at INGEST_RATE a second, open loop: INGEST_SECONDS alone, then INGEST_SECONDS from the start of the retention purge
 * of the oldest month (its batches walk the time index, resting between them). The purge's own time is measured to its
 * end; at 10 M it outlasts the measured seconds, at the base size it takes a part of them.
 */
async function purgeUnderIngest(
  bench: BenchApp,
): Promise<{ seconds: number; purged: number; aloneP99: number; duringP99: number }> {
  const service: AuthUser = { sub: 'bench-service', roles: ['service'] };
  const users = Array.from({ length: INGEST_USERS }, () => randomUUID());
  const consent = bench.app.get(ConsentLedgerService);
  for (const user of users)
    await consent.change(user, { allowCollectiveLearning: true, policyVersion: '1' }, service, false);
  const authorization = `Bearer ${bench.token(service.sub, service.roles)}`;
  // `phase` keeps the two loads' client event ids apart (a repeat would be answered as a duplicate, not stored).
  const load = (phase: string, onMeasureStart?: () => void) =>
    pacedLoad({
      url: `${bench.baseUrl}/api/v1/learning/events`,
      rate: INGEST_RATE,
      seconds: INGEST_SECONDS,
      // Past the cold start (data keys and consent answers fetched per user, JIT), as in bench:ingest.
      warmupSeconds: 8,
      connections: 16,
      body: (i) =>
        JSON.stringify({
          userId: users[i % users.length],
          eventType: 'interaction',
          context: { module: 'live', action: `a${i % 20}`, sessionId: `live-${i % 500}` },
          data: { outcome: 'success', durationMs: i % 400, detail: 'x'.repeat(120) },
          clientEventId: `${phase}-${i}`,
        }),
      headers: () => ({ authorization }),
      onMeasureStart,
    });
  const alone = await load('alone');
  let purge: Promise<{ seconds: number; purged: number }> | undefined;
  const during = await load('during', () => {
    const p0 = performance.now();
    purge = bench.app
      .get(RetentionService)
      .start('manual', false, 'bench')
      .then(async (start) => {
        if (!start.started) throw new Error('a purge was already running');
        const run = await start.finished;
        return { seconds: (performance.now() - p0) / 1000, purged: run.report.learning_events ?? 0 };
      });
  });
  if (alone.errors + during.errors > 0) throw new Error(`ingest failed: ${alone.errors + during.errors} errors`);
  return { ...(await purge!), aloneP99: alone.p99, duringP99: during.p99 };
}

/** Published pattern pages as users read them (the service's cache in front of PostgreSQL), closed loop. */
async function cachedReads(bench: BenchApp): Promise<{ perSecond: number; p99: number }> {
  const seconds = 5;
  const result = await closedLoad({
    url: `${bench.baseUrl}/api/v1/patterns?limit=20`,
    method: 'GET',
    connections: 8,
    warmupSeconds: 2,
    seconds,
    tokens: Array.from({ length: 32 }, () => bench.token(randomUUID(), ['user'])),
  });
  if (result.non2xx + result.errors > 0)
    throw new Error(`pattern reads failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { perSecond: result.ok / seconds, p99: result.p99 };
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
    ['cached pattern reads (8 connections)', (f) => f.cachedReadsPerSecond, '/s'],
    ['cached pattern read p99', (f) => f.cachedReadP99Ms, 'ms'],
    ['purge of the oldest month', (f) => f.purgeSeconds, 's'],
    ['events purged', (f) => f.purgedEvents, ''],
    [`ingest p99 alone (${INGEST_RATE} events/s)`, (f) => f.ingestP99AloneMs, 'ms'],
    ['ingest p99 during the purge', (f) => f.ingestP99DuringPurgeMs, 'ms', 'at 10×: ≤ 2× alone'],
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
    {
      measure: 'purge of the oldest month at 10×',
      value: scaled.purgeSeconds,
      unit: 's',
      baseline: { name: `${base.events.toLocaleString('en')} events`, value: base.purgeSeconds },
    },
    {
      measure: 'ingest p99 during the 10× purge',
      value: scaled.ingestP99DuringPurgeMs,
      unit: 'ms',
      baseline: { name: 'ingest alone', value: scaled.ingestP99AloneMs },
      target: '≤ 2× alone',
      met: scaled.ingestP99DuringPurgeMs <= 2 * scaled.ingestP99AloneMs,
    },
  ];
  reportFigures('scale', figures);
}

runBench(main);
