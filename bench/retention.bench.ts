/**
 * `npm run bench:retention`: BENCH_RETENTION_EVENTS (1,000,000) events spread over 120 days (1,000 consenting users),
 * then the service (its own process, on the same database) takes a steady single-event ingest load of
 * BENCH_RATE (400) events/s: BENCH_SECONDS (10) of it alone, then the same load while a purge, started a second into
 * the measured seconds (`POST /retention/run`, DATA_RETENTION_DAYS 90), removes everything older than 90 days. Prints the purge's time and
 * rows, and the ingest p50/p99 before and during it. Targets: the purge under 10 s; p99 during it within 2× of before.
 * Uses BENCH_DATABASE_URL or an embedded PostgreSQL in a temp folder.
 */
import { JwtService } from '@nestjs/jwt';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { closedLoad } from './support/closed-load';
import { openBenchDatabase, runBench } from './support/bench-database';
import { reportFigures } from './support/results';
import { startService, stop } from './support/processes';

const EVENTS = Number(process.env.BENCH_RETENTION_EVENTS ?? 1_000_000);
const USERS = 1000;
const RATE = Number(process.env.BENCH_RATE ?? 400);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function main(): Promise<void> {
  const db = await openBenchDatabase('retention', 4);
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const dir = mkdtempSync(join(tmpdir(), 'bench-retention-'));
  let service: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    const users = Array.from({ length: USERS }, () => randomUUID());
    await pg.query(
      `INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version) SELECT unnest($1::uuid[]), true, 'bench'`,
      [users],
    );
    await pg.query(
      `INSERT INTO global_learning_events (id, user_id, event_type, module, action, timestamp, received_at, payload, key_id)
       SELECT gen_random_uuid(), ($2::uuid[])[1 + g % ${USERS}], 'interaction', 'm' || (g % 5), 'a' || (g % 20),
              now() - interval '120 days' + g * (interval '120 days' / $1), now(), '\\x00'::bytea, 'bench'
         FROM generate_series(0, $1 - 1) g`,
      [EVENTS, users],
    );
    await pg.query('VACUUM ANALYZE global_learning_events');
    const old = Number(
      (await pg.query(`SELECT count(*) AS n FROM global_learning_events WHERE timestamp < now() - interval '90 days'`))
        .rows[0].n,
    );
    console.log(
      `data set: ${EVENTS.toLocaleString('en')} events over 120 days, ${old.toLocaleString('en')} older than 90 days, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const secret = randomBytes(32).toString('hex');
    const port = 3850 + (process.pid % 50);
    service = await startService({
      port,
      databaseUrl: db.url,
      dataDir: dir,
      env: { JWT_SECRET: secret, ENCRYPTION_KEY: randomBytes(32).toString('hex') },
    });
    const jwt = new JwtService();
    const sign = (sub: string, roles: string[]) =>
      jwt.sign({ sub, roles }, { secret, algorithm: 'HS256', expiresIn: 3600 });
    const serviceToken = sign('bench-ingest', ['service']);
    const adminToken = sign('bench-admin', ['admin']);
    const bodies = users.map((userId) =>
      JSON.stringify({
        userId,
        eventType: 'interaction',
        context: { module: 'm1', action: 'live' },
        data: { outcome: 'success' },
      }),
    );
    // Each load runs in a new generator process: its warm-up (JIT, connections) is not measured.
    const load = (warmupSeconds: number, onMeasureStart?: () => void) =>
      closedLoad(
        {
          url: `http://127.0.0.1:${port}/api/v1/learning/events`,
          method: 'POST',
          connections: 16,
          overallRate: RATE,
          warmupSeconds,
          seconds: SECONDS,
          bodies,
          tokens: [serviceToken],
        },
        onMeasureStart,
      );

    // Warm up (JIT, pools, caches) until the load alone is steady, then measure it.
    const before = await load(5);
    console.log(
      `ingest alone at ${RATE}/s: p50 ${before.p50} ms, p99 ${before.p99} ms, ${before.non2xx + before.errors} errors`,
    );

    // The same load, with a purge started a second in.
    let measuring!: () => void;
    const measured = new Promise<void>((resolve) => (measuring = resolve));
    const during = load(2, measuring);
    await Promise.race([
      measured,
      during.then(() => Promise.reject(new Error('the load ended before its measured seconds'))),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const started = await fetch(`http://127.0.0.1:${port}/api/v1/retention/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: '{}',
    });
    const { runId } = (await started.json()) as { runId: string };
    let run: { status: string; duration_ms: number; counts: Record<string, number> } | undefined;
    for (let i = 0; i < 1200 && (!run || run.status === 'running'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await pg.query(`SELECT status, duration_ms, counts FROM retention_runs WHERE id = $1`, [runId])).rows[0];
    }
    const result = await during;
    console.log(
      `ingest during the purge: p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.non2xx + result.errors} errors`,
    );
    const left = Number(
      (
        await pg.query(
          `SELECT count(*) AS n FROM global_learning_events WHERE timestamp < now() - interval '90 days' - interval '1 minute'`,
        )
      ).rows[0].n,
    );
    console.log('');
    console.log(
      `purge: ${run?.status}, ${(run?.counts.learning_events ?? 0).toLocaleString('en')} events removed in ${((run?.duration_ms ?? 0) / 1000).toFixed(2)} s (target < 10 s); ${left} older events left`,
    );
    const ratio = result.p99 / Math.max(1, before.p99);
    console.log(`ingest p99 during the purge: ${ratio.toFixed(2)}× of before (target ≤ 2×)`);
    const purgeSeconds = (run?.duration_ms ?? 0) / 1000;
    reportFigures('retention (npm run bench:retention)', [
      {
        measure: `purge of ${(run?.counts.learning_events ?? 0).toLocaleString('en')} expired events`,
        value: purgeSeconds,
        unit: 's',
        target: '< 10 s',
        met: run?.status === 'succeeded' && left === 0 && purgeSeconds < 10,
      },
      {
        measure: 'ingest p99 during the purge',
        value: result.p99,
        unit: 'ms',
        baseline: { name: 'ingest p99 alone', value: before.p99 },
        target: '≤ 2× baseline',
        met: ratio <= 2,
      },
    ]);
    if (run?.status !== 'succeeded' || left > 0) process.exitCode = 1;
  } finally {
    if (service) await stop(service);
    await pg.end();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
