/**
 * `npm run bench:privacy`: the cost of the consent check on the ingest hot path (cache hit, and the database read
 * of a miss), and the time to stream the export of a user with BENCH_EXPORT_EVENTS (100,000) events through the
 * real HTTP route, with the process's peak memory growth while it streams. Uses BENCH_DATABASE_URL or an
 * embedded PostgreSQL in a temp folder.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../src/common/auth/auth-user';
import { ConsentGate } from '../src/modules/consent/consent-gate.service';
import { ConsentLedgerService } from '../src/modules/consent/consent-ledger.service';
import { startBenchApp } from './support/bench-app';
import { openBenchDatabase, runBench } from './support/bench-database';
import { percentile } from './support/percentile';
import { reportFigures } from './support/results';
import { loadUserEvents } from './support/user-events';

const EVENTS = Number(process.env.BENCH_EXPORT_EVENTS ?? 100_000);
const GATE_CALLS = 2_000_000;
const MISSES = 2_000;

async function main(): Promise<void> {
  const db = await openBenchDatabase('privacy');
  const bench = await startBenchApp(db.url);
  try {
    const service: AuthUser = { sub: 'bench-service', roles: ['service'] };
    const ledger = bench.app.get(ConsentLedgerService);
    const gate = bench.app.get(ConsentGate);
    const user = randomUUID();
    await ledger.change(user, { allowCollectiveLearning: true, policyVersion: '1' }, service, false);

    // Consent check, cache hit: the answer every ingest request takes for a known user.
    await gate.allows(user);
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < GATE_CALLS; i++) await gate.allows(user);
    const hitNs = Number(process.hrtime.bigint() - t0) / GATE_CALLS;

    // Cache miss: users never seen (one indexed read each).
    const misses: number[] = [];
    for (let i = 0; i < MISSES; i++) {
      const t = process.hrtime.bigint();
      await gate.allows(randomUUID());
      misses.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    misses.sort((a, b) => a - b);

    // Load the user's events through the real ingest service (batches of 1,000).
    t0 = process.hrtime.bigint();
    await loadUserEvents(bench, user, EVENTS, service);
    const loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

    // Export through HTTP, reading the stream as a client would.
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    t0 = process.hrtime.bigint();
    const res = await fetch(`${bench.baseUrl}/api/v1/privacy/me/export`, {
      headers: { authorization: `Bearer ${bench.token(user, ['user'])}` },
    });
    let firstByteMs = 0;
    let bytes = 0;
    let text = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (bytes === 0) firstByteMs = Number(process.hrtime.bigint() - t0) / 1e6;
      bytes += chunk.length;
      if (text.length < 200) text += Buffer.from(chunk).toString('utf8', 0, 200);
    }
    const exportSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    clearInterval(sampler);
    if (res.status !== 200 || !text.startsWith('{"format"')) throw new Error(`export failed: ${res.status}`);

    console.log(
      `consent check, cache hit:   ${hitNs.toFixed(0)} ns per call (${(1e9 / hitNs / 1e6).toFixed(1)} M checks/s, one core)`,
    );
    console.log(
      `consent check, cache miss:  p50 ${percentile(misses, 50).toFixed(3)} ms, p99 ${percentile(misses, 99).toFixed(3)} ms (one indexed read)`,
    );
    console.log(
      `loaded ${EVENTS} events in ${loadSeconds.toFixed(1)} s (${Math.round(EVENTS / loadSeconds)} events/s through the ingest service, batches of 1000)`,
    );
    reportFigures('privacy (npm run bench:privacy)', [
      { measure: 'consent check, cache hit', value: hitNs, unit: 'ns' },
      { measure: 'consent check, cache miss p99', value: percentile(misses, 99), unit: 'ms' },
      { measure: `export of ${EVENTS.toLocaleString('en')} events`, value: exportSeconds, unit: 's' },
      { measure: 'export peak RSS growth', value: (peakRss - rssBefore) / 1e6, unit: 'MB' },
    ]);
    console.log(
      `export of ${EVENTS} events: ${exportSeconds.toFixed(2)} s, ${(bytes / 1e6).toFixed(1)} MB, first byte after ${firstByteMs.toFixed(0)} ms, ` +
        `${Math.round(EVENTS / exportSeconds)} events/s, peak RSS growth ${((peakRss - rssBefore) / 1e6).toFixed(0)} MB`,
    );
  } finally {
    await bench.close();
    await db.close();
  }
}

runBench(main);
