/**
 * `npm run bench:auth-storm`: what a storm of unauthenticated token requests does to authenticated readers. The built
 * service runs in its own process on a fresh database holding the demo data set, mined. A reader sends
 * `GET /api/v1/patterns` (a user token, one request after the other) while, in each storm round, 500 `POST
 * /auth/token` with random client ids are sent at once — uuids (as real ids are; each could cost a full scrypt), then
 * malformed ones (refused at once, each audited); quiet rounds without the storm alternate with storm rounds.
 * Reports the readers' p50/p99 in both and their ratio, and how the storm was answered.
 *   BENCH_ROUNDS (3) rounds of each; BENCH_STORM (500) token requests per storm; BENCH_QUIET_SECONDS (3).
 */
import { JwtService } from '@nestjs/jwt';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoEvents, DEMO_USERS } from '../src/cli/demo-data';
import { openBenchDatabase, runBench } from './support/bench-database';
import { percentile } from './support/percentile';
import { startService, stop } from './support/processes';
import { reportFigures, type BenchFigure } from './support/results';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STORM = Number(process.env.BENCH_STORM ?? 500);
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 3);

interface ReadSample {
  p50: number;
  p99: number;
  n: number;
  failed: number;
}

/** One reader, back to back, until `until` resolves; latencies in ms. */
async function readWhile(url: string, token: string, until: Promise<unknown>): Promise<ReadSample> {
  let done = false;
  void until.finally(() => (done = true));
  const times: number[] = [];
  let failed = 0;
  while (!done) {
    const t = process.hrtime.bigint();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.status !== 200) failed++;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), n: times.length, failed };
}

/** Random client ids: uuids (as real ids are: each may cost a verification) or any text (refused and audited at once). */
type StormKind = 'uuid ids' | 'malformed ids';

async function storm(base: string, kind: StormKind): Promise<{ ms: number; statuses: Record<string, number> }> {
  const t = Date.now();
  const answers = await Promise.all(
    Array.from({ length: STORM }, () =>
      fetch(`${base}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          clientId: kind === 'uuid ids' ? randomUUID() : `storm-${randomBytes(6).toString('hex')}`,
          clientSecret: randomBytes(24).toString('base64url'),
        }),
      })
        .then(async (r) => {
          await r.arrayBuffer();
          return String(r.status);
        })
        .catch(() => 'error'),
    ),
  );
  const statuses: Record<string, number> = {};
  for (const s of answers) statuses[s] = (statuses[s] ?? 0) + 1;
  return { ms: Date.now() - t, statuses };
}

async function main(): Promise<void> {
  const db = await openBenchDatabase('auth-storm');
  const children: ChildProcess[] = [];
  try {
    const jwtSecret = randomBytes(32).toString('hex');
    const port = 3950 + (process.pid % 40);
    const base = `http://127.0.0.1:${port}`;
    const app = await startService({
      port,
      databaseUrl: db.url,
      dataDir: mkdtempSync(join(tmpdir(), 'bench-storm-')),
      env: {
        JWT_SECRET: jwtSecret,
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'error',
        // The storm comes from one address: the per-address limits would stop it before any scrypt runs. Lifted, so
        // the measure is of the verification cap alone (the worst case: a storm from many addresses).
        AUTH_MAX_FAILED_ATTEMPTS: '1000',
        AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT: '1000',
      },
    });
    children.push(app);

    const jwt = new JwtService();
    const sign = (sub: string, roles: string[]) =>
      jwt.sign({ sub, roles }, { secret: jwtSecret, algorithm: 'HS256', expiresIn: 3600 });
    const service = sign('bench-storm-service', ['service']);
    const admin = sign('bench-storm-admin', ['admin']);
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    for (const user of DEMO_USERS)
      await call('PUT', `/consent/${user}`, service, { allowCollectiveLearning: true, policyVersion: 'bench' });
    const events = buildDemoEvents(Date.now());
    for (let i = 0; i < events.length; i += 500)
      await call('POST', '/learning/events/batch', service, { events: events.slice(i, i + 500) });
    await call('POST', '/patterns/mine', admin);
    const reader = sign(DEMO_USERS[0], ['user']);
    const readUrl = `${base}/api/v1/patterns?limit=20`;
    console.log(
      `${events.length} events of ${DEMO_USERS.length} users stored and mined; ${ROUNDS} quiet and ${ROUNDS} storm rounds of ${STORM} token requests`,
    );
    await readWhile(readUrl, reader, new Promise((r) => setTimeout(r, 1000))); // warm-up

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const figures: BenchFigure[] = [];
    for (const kind of ['uuid ids', 'malformed ids'] as StormKind[]) {
      const quiet: ReadSample[] = [];
      const stormy: ReadSample[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const calm = await readWhile(readUrl, reader, new Promise((r) => setTimeout(r, QUIET_SECONDS * 1000)));
        quiet.push(calm);
        const running = storm(base, kind);
        const during = await readWhile(readUrl, reader, running);
        const { ms, statuses } = await running;
        stormy.push(during);
        console.log(
          `${kind}, round ${round}: quiet p50 ${calm.p50.toFixed(2)} ms, p99 ${calm.p99.toFixed(2)} ms (${calm.n} reads) | storm of ${STORM} answered in ${ms} ms ${JSON.stringify(statuses)}: ` +
            `p50 ${during.p50.toFixed(2)} ms, p99 ${during.p99.toFixed(2)} ms (${during.n} reads, ${during.failed} not 200)`,
        );
      }
      const quietP99 = median(quiet.map((s) => s.p99));
      const stormP99 = median(stormy.map((s) => s.p99));
      console.log(
        `${kind}: pattern read p99, median of rounds: quiet ${quietP99.toFixed(2)} ms, during the storm ${stormP99.toFixed(2)} ms (×${(stormP99 / quietP99).toFixed(2)})`,
      );
      figures.push({
        measure: `pattern read p99 during ${STORM} token requests, ${kind}`,
        value: stormP99,
        unit: 'ms',
        baseline: { name: 'quiet p99', value: quietP99 },
      });
    }
    reportFigures('auth-storm', figures);
  } finally {
    await Promise.all(children.map((c) => stop(c)));
    await db.close();
  }
}

runBench(main);
