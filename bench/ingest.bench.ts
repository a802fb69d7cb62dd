/**
 * `npm run bench`: ingestion speed of the real service against the machine's ceiling, all on loopback.
 *  1. a throwaway database (BENCH_DATABASE_URL, else an embedded PostgreSQL in a temp folder) with
 *     BENCH_USERS consenting users;
 *  2. the service (`node dist/src/main.js`, one process) driven by autocannon: single-event POSTs, then
 *     100-event batches; then single events again at half the bare single-insert rate, for the p99 target: sent
 *     open loop at even intervals (`pacedLoad`), and for comparison with autocannon's rate mode, which bursts;
 *  3. the ceilings, in the same run and database: a bare Fastify server taking the same batches through COPY (in
 *     BENCH_ROUNDS rounds alternating with the service's batches, medians compared), and one doing single-row
 *     INSERTs, driven by autocannon and then on the service's open-loop schedule, as the reference for its p99.
 * Prints events/s, p50/p99 latency and the ratios. Each phase runs BENCH_SECONDS (default 10) after a warm-up, on
 * an emptied table after a CHECKPOINT.
 * BENCH_PROFILE_DIR=<folder> writes the service's CPU profiles there.
 */
import { JwtService } from '@nestjs/jwt';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openBenchDatabase, runBench } from './support/bench-database';
import { closedLoad } from './support/closed-load';
import { pacedLoad } from './support/paced-load';
import { forkReady, stop, waitReady } from './support/processes';
import { reportFigures, shareOfBaseline } from './support/results';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/**
 * `batch` runs only the batch rounds (the service's and the COPY ceiling's), `single` only single events at full
 * speed (the service's and the bare single-insert server's), `paced` only single events at BENCH_RATE events/s
 * (default 1,000; the service open loop and in autocannon's rate mode, then the bare server open loop): for A/B
 * comparisons.
 */
const ONLY = process.env.BENCH_ONLY;
/** Service worker processes (`start:cluster`); 1 runs `main.js` alone. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
/** A folder to write the service's CPU profiles to (`--cpu-prof`), for finding where its time goes. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const BATCH = 100;
/** Alternating rounds of the service's batches and the COPY ceiling. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POOL = 20;

interface Phase {
  name: string;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time the server process spent per stored event (user + system), in µs. */
  cpuMicrosPerEvent?: number;
  /** CPU time PostgreSQL's processes spent per stored event, in µs. */
  dbMicrosPerEvent?: number;
  /** Share of the machine's CPU time the hypervisor gave to others during the phase (steal), in %. */
  stealPercent: number;
}

/** The machine's CPU time so far, all and stolen by the hypervisor (Linux /proc/stat, first line). */
function machineTicks(): { total: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
}

/** The share of the machine's CPU time stolen by the hypervisor since `before`, in %. */
function stealSince(before: { total: number; steal: number }): number {
  const after = machineTicks();
  return (100 * (after.steal - before.steal)) / Math.max(1, after.total - before.total);
}

/** User + system CPU seconds a process has used so far (Linux /proc; clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds used so far by PostgreSQL: every running postgres process, plus, for the postmasters, the CPU of the
 * backends that have exited (a backend's time moves into its parent's cutime/cstime when it is reaped, so
 * connections closed during a phase are not lost).
 */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100;
      const parent = readFileSync(`/proc/${fields[1]}/stat`, 'utf8');
      const isPostmaster = parent.slice(parent.indexOf('(') + 1, parent.lastIndexOf(')')) !== 'postgres';
      if (isPostmaster) total += (Number(fields[13]) + Number(fields[14])) / 100;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

function event(userId: string, i: number): Record<string, unknown> {
  const kind = i % 10;
  const context = {
    module: ['editor', 'search', 'chat'][i % 3],
    action: `action_${i % 25}`,
    sessionId: `s-${userId.slice(0, 8)}-${Math.floor(i / 20)}`,
  };
  if (kind === 0)
    return {
      userId,
      eventType: 'correction',
      context,
      data: { original: `teh ${i % 50}`, corrected: `the ${i % 50}` },
    };
  if (kind === 1) return { userId, eventType: 'feedback', context, data: { rating: 1 + (i % 5), comment: 'fine' } };
  return {
    userId,
    eventType: 'interaction',
    context,
    data: { outcome: i % 7 === 0 ? 'failure' : 'success', durationMs: 50 + (i % 400), detail: 'x'.repeat(120) },
  };
}

async function run(
  name: string,
  url: string,
  bodies: string[],
  eventsPerRequest: number,
  options: { connections: number; tokens?: string[]; overallRate?: number; server?: ChildProcess },
): Promise<Phase> {
  const pid = options.server?.pid;
  let cpuBefore = 0;
  let dbBefore = 0;
  let ticksBefore = machineTicks();
  const result = await closedLoad(
    {
      url,
      method: 'POST',
      connections: options.connections,
      warmupSeconds: 2,
      seconds: SECONDS,
      overallRate: options.overallRate,
      bodies,
      tokens: options.tokens,
    },
    () => {
      cpuBefore = pid ? cpuSeconds(pid) : 0;
      dbBefore = postgresCpuSeconds();
      ticksBefore = machineTicks();
    },
  );
  const dbSeconds = postgresCpuSeconds() - dbBefore;
  const stealPercent = stealSince(ticksBefore);
  const ok = result.ok;
  const phase: Phase = {
    name,
    eventsPerSecond: (ok * eventsPerRequest) / SECONDS,
    p50: result.p50,
    p99: result.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    stealPercent,
  };
  if (pid && ok > 0) phase.cpuMicrosPerEvent = ((cpuSeconds(pid) - cpuBefore) * 1e6) / (ok * eventsPerRequest);
  if (ok > 0) phase.dbMicrosPerEvent = (dbSeconds * 1e6) / (ok * eventsPerRequest);
  const cpu =
    phase.cpuMicrosPerEvent === undefined ? '' : `, server CPU ${phase.cpuMicrosPerEvent.toFixed(0)} µs/event`;
  const dbCpu =
    phase.dbMicrosPerEvent === undefined ? '' : `, PostgreSQL CPU ${phase.dbMicrosPerEvent.toFixed(0)} µs/event`;
  console.log(
    `${name}: ${Math.round(phase.eventsPerSecond)} events/s, p50 ${phase.p50} ms, p99 ${phase.p99} ms, ${phase.errors} errors${cpu}${dbCpu}, host steal ${stealPercent.toFixed(0)} %`,
  );
  return phase;
}

/** The round with the median events/s (its own latencies and CPU figures come with it). */
function median(rounds: Phase[]): Phase {
  const sorted = [...rounds].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Single events sent open-loop at `rate` (see `pacedLoad`): latency from when each request was due. */
async function runPaced(name: string, url: string, bodies: string[], rate: number, tokens: string[]): Promise<Phase> {
  let dbBefore = 0;
  let ticksBefore = machineTicks();
  // Open loop, a cold start's backlog (data keys and consent answers fetched per user, JIT) takes about 2.5 s to
  // drain here, and one stall of 40-60 ms follows some 10,400 requests in, for the bare server too (PACED_DEBUG=1
  // prints the worst latency per 250 ms of the schedule): the warm-up (PACED_WARMUP seconds, default 12) outlasts
  // both, so the measured seconds see the server in its steady state.
  const result = await pacedLoad({
    url,
    rate,
    seconds: SECONDS,
    warmupSeconds: Number(process.env.PACED_WARMUP ?? 12),
    connections: 32,
    body: (i) => bodies[i % bodies.length],
    headers: (i) => ({ authorization: `Bearer ${tokens[i % tokens.length]}` }),
    onMeasureStart: () => {
      dbBefore = postgresCpuSeconds();
      ticksBefore = machineTicks();
    },
  });
  const dbSeconds = postgresCpuSeconds() - dbBefore;
  const stealPercent = stealSince(ticksBefore);
  const phase: Phase = {
    name,
    eventsPerSecond: result.ok / SECONDS,
    p50: result.p50,
    p99: result.p99,
    errors: result.errors,
    stealPercent,
  };
  if (result.ok > 0) phase.dbMicrosPerEvent = (dbSeconds * 1e6) / result.ok;
  const dbCpu =
    phase.dbMicrosPerEvent === undefined ? '' : `, PostgreSQL CPU ${phase.dbMicrosPerEvent.toFixed(0)} µs/event`;
  console.log(
    `${name}: ${Math.round(phase.eventsPerSecond)} events/s, p50 ${phase.p50} ms, p99 ${phase.p99} ms, max ${result.max} ms, ${phase.errors} errors${dbCpu}, load generator CPU ${result.clientCpuMicros.toFixed(0)} µs/request and ${result.generatorMajorGcs} full collections, host steal ${stealPercent.toFixed(0)} %`,
  );
  return phase;
}

function bare(mode: 'copy' | 'single', port: number, dbUrl: string): Promise<ChildProcess> {
  return forkReady(join(__dirname, 'support', 'bare-server.js'), [mode, String(port), dbUrl, String(POOL)]);
}

async function main(): Promise<void> {
  const db = await openBenchDatabase('ingest', 2);
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const children: ChildProcess[] = [];
  const dataDirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
    dataDirs.push(dir);
    return dir;
  };
  try {
    const users = Array.from({ length: USERS }, () => randomUUID());
    await pg.query(
      `INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version) SELECT unnest($1::uuid[]), true, 'bench'`,
      [users],
    );
    await pg.query('ANALYZE user_privacy_settings');
    const singles = Array.from({ length: 5000 }, (_, i) => JSON.stringify(event(users[i % USERS], i)));
    const batches = Array.from({ length: 200 }, (_, b) =>
      JSON.stringify({
        events: Array.from({ length: BATCH }, (_, i) => event(users[(b * BATCH + i) % USERS], b * BATCH + i)),
      }),
    );
    // Each phase starts from an empty table and a clean checkpoint: without it, the dirty pages of the phases before
    // (batches write some 3 GB of WAL) are written and synced in the background during a later phase.
    const truncate = async () => {
      await pg.query('TRUNCATE global_learning_events');
      await pg.query('VACUUM ANALYZE global_learning_events');
      await pg.query('CHECKPOINT');
    };

    const jwtSecret = randomBytes(32).toString('hex');
    const encryptionKey = randomBytes(32).toString('hex');
    const appPort = 3900 + (process.pid % 50);
    const startService = async (): Promise<ChildProcess> => {
      const entry = WORKERS > 1 ? 'cluster.js' : 'main.js';
      const flags = [
        ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
        ...(process.env.BENCH_SERVICE_FLAGS?.split(' ').filter(Boolean) ?? []),
      ];
      const app = spawn(process.execPath, [...flags, join(__dirname, '..', 'src', entry)], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          NODE_ENV: 'development',
          PORT: String(appPort),
          HOST: '127.0.0.1',
          DATABASE_URL: db.url,
          DATABASE_POOL_MAX: String(POOL),
          JWT_SECRET: jwtSecret,
          ENCRYPTION_KEY: encryptionKey,
          DATA_DIR: dataDir(),
          LOG_LEVEL: 'warn',
          LOG_FORMAT: 'json',
          THROTTLE_LIMIT: '1000000',
          THROTTLE_TTL_SECONDS: '1',
          // Counted as always, never reached: the benchmark sends far more per user than a person would.
          LEARNING_USER_QUOTA_EVENTS: '100000000',
          LEARNING_USER_QUOTA_BYTES: String(100 * 1024 ** 3),
          REDIS_URL: '',
          WEB_CONCURRENCY: String(WORKERS),
        },
      });
      children.push(app);
      await waitReady(`http://127.0.0.1:${appPort}/health/ready`, app);
      return app;
    };
    // Several service clients, as in production (rate limits are per client).
    const jwt = new JwtService();
    const tokens = Array.from({ length: 64 }, (_, i) =>
      jwt.sign(
        { sub: `bench-service-${i}`, roles: ['service'] },
        { secret: jwtSecret, algorithm: 'HS256', expiresIn: 3600 },
      ),
    );
    const service = `http://127.0.0.1:${appPort}/api/v1/learning/events`;

    // The bare single-insert server, started for one phase on an emptied table: at full speed (`rate` unset), or on
    // the open-loop schedule at `rate`, for what the machine itself gives at that rate.
    const bareSingles = async (rate?: number): Promise<Phase> => {
      const server = await bare('single', appPort + 2, db.url);
      children.push(server);
      await truncate();
      const url = `http://127.0.0.1:${appPort + 2}/event`;
      const phase = rate
        ? await runPaced(
            `ceiling: bare Fastify + single-row INSERT at ${rate}/s, open loop`,
            url,
            singles,
            rate,
            tokens,
          )
        : await run('ceiling: bare Fastify + single-row INSERT', url, singles, 1, { connections: 32, server });
      await stop(server);
      return phase;
    };
    // CPU per event is read for the one service process (with workers, the primary does not serve requests).
    const measured = (app: ChildProcess) => (WORKERS > 1 ? undefined : app);
    const phases: Phase[] = [];
    console.log(
      `database ready, ${USERS} consenting users; starting the service (${WORKERS} process${WORKERS > 1 ? 'es' : ''})`,
    );
    let app = await startService();
    if (ONLY === 'paced') {
      await truncate();
      const rate = Number(process.env.BENCH_RATE ?? 1000);
      await runPaced(`service: single events at ${rate}/s, open loop`, service, singles, rate, tokens);
      await truncate();
      await run(`service: single events at ${rate}/s, autocannon rate mode`, service, singles, 1, {
        connections: 32,
        tokens,
        overallRate: rate,
        server: measured(app),
      });
      await stop(app);
      await bareSingles(rate);
      return;
    }
    let singlePhase: Phase | undefined;
    if (ONLY !== 'batch') {
      await truncate();
      singlePhase = await run('service: single events', service, singles, 1, {
        connections: 32,
        tokens,
        server: measured(app),
      });
    }
    if (ONLY === 'single') {
      await stop(app);
      const ceiling = await bareSingles();
      console.log(
        `single events: ${((100 * (singlePhase?.eventsPerSecond ?? 0)) / ceiling.eventsPerSecond).toFixed(0)} % of the bare single-insert server (target ≥ 50 %)`,
      );
      return;
    }
    // Batches: the service and the COPY ceiling in alternation, ROUNDS times each (both servers up, one loaded at a
    // time), so that drift in the machine or the database during the run hits both sides alike; medians compared.
    const copyServer = await bare('copy', appPort + 1, db.url);
    children.push(copyServer);
    const serviceRounds: Phase[] = [];
    const ceilingRounds: Phase[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await truncate();
      serviceRounds.push(
        await run(`service: batches of 100, round ${round}`, `${service}/batch`, batches, BATCH, {
          connections: 8,
          tokens,
          server: measured(app),
        }),
      );
      await truncate();
      ceilingRounds.push(
        await run(
          `ceiling: bare Fastify + COPY, batches of 100, round ${round}`,
          `http://127.0.0.1:${appPort + 1}/batch`,
          batches,
          BATCH,
          { connections: 8, server: copyServer },
        ),
      );
    }
    const serviceBatches = { ...median(serviceRounds), name: `service: batches of 100 (median of ${ROUNDS})` };
    const ceilingBatches = {
      ...median(ceilingRounds),
      name: `ceiling: bare Fastify + COPY, batches of 100 (median of ${ROUNDS})`,
    };
    console.log(
      `batches: ${((100 * serviceBatches.eventsPerSecond) / ceilingBatches.eventsPerSecond).toFixed(0)} % of the COPY ceiling (medians; target ≥ 60 %)`,
    );
    if (ONLY === 'batch' || !singlePhase) return;
    await stop(app);
    await stop(copyServer);
    phases.push(singlePhase, serviceBatches, ceilingBatches);

    phases.push(await bareSingles());

    // The service's single events again, held at half the bare single-insert rate: the p99 target.
    const halfRate = Math.round(phases[3].eventsPerSecond / 2);
    app = await startService();
    await truncate();
    phases.push(
      await runPaced(`service: single events at ${halfRate}/s, open loop`, service, singles, halfRate, tokens),
    );
    await truncate();
    phases.push(
      await run(`service: single events at ${halfRate}/s, autocannon rate mode (bursts)`, service, singles, 1, {
        connections: 32,
        tokens,
        overallRate: halfRate,
      }),
    );
    await stop(app);
    phases.push(await bareSingles(halfRate));

    console.log('');
    console.log(
      '| phase | events/s | p50 ms | p99 ms | errors | server CPU µs/event | PostgreSQL CPU µs/event | host steal |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const p of [...phases, ...serviceRounds, ...ceilingRounds]) {
      console.log(
        `| ${p.name} | ${Math.round(p.eventsPerSecond)} | ${p.p50} | ${p.p99} | ${p.errors} | ${p.cpuMicrosPerEvent?.toFixed(0) ?? '–'} | ${p.dbMicrosPerEvent?.toFixed(0) ?? '–'} | ${p.stealPercent.toFixed(0)} % |`,
      );
    }
    console.log('');
    console.log(
      `batches: ${((100 * phases[1].eventsPerSecond) / phases[2].eventsPerSecond).toFixed(0)} % of the COPY ceiling (medians of ${ROUNDS} alternating rounds; target ≥ 60 %)`,
    );
    console.log(
      `single events: ${((100 * phases[0].eventsPerSecond) / phases[3].eventsPerSecond).toFixed(0)} % of the bare single-insert server (target ≥ 50 %)`,
    );
    console.log(
      `single events at half the bare rate, open loop: p99 ${phases[4].p99} ms (target < 25 ms), with ${phases[4].stealPercent.toFixed(0)} % of the CPU time stolen by the host`,
    );
    console.log(
      `(the bare single-insert server on the same schedule: p99 ${phases[6].p99} ms; autocannon's rate mode, which sends each connection's share of a second in a burst: p99 ${phases[5].p99} ms)`,
    );
    reportFigures('ingest (npm run bench)', [
      shareOfBaseline(
        { measure: '100-event batches', value: phases[1].eventsPerSecond, unit: 'events/s' },
        { name: 'bare Fastify COPY server', value: phases[2].eventsPerSecond },
        0.6,
      ),
      shareOfBaseline(
        { measure: 'single events', value: phases[0].eventsPerSecond, unit: 'events/s' },
        { name: 'bare Fastify single-INSERT server', value: phases[3].eventsPerSecond },
        0.5,
      ),
      {
        measure: `single events at half the bare rate (open loop), p99 (host steal ${phases[4].stealPercent.toFixed(0)} %)`,
        value: phases[4].p99,
        unit: 'ms',
        target: '< 25 ms',
        met: phases[4].p99 < 25,
      },
      {
        measure: `single events at half the bare rate (autocannon bursts), p99 (host steal ${phases[5].stealPercent.toFixed(0)} %)`,
        value: phases[5].p99,
        unit: 'ms',
      },
      {
        measure: `bare single-INSERT server at the same rate (open loop), p99 (host steal ${phases[6].stealPercent.toFixed(0)} %)`,
        value: phases[6].p99,
        unit: 'ms',
      },
    ]);
  } finally {
    await Promise.all(children.map(stop));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await pg.end();
    await db.close();
  }
}

runBench(main);
