import { Agent, request } from 'node:http';
import { percentile } from './bench-database';

export interface PacedLoadOptions {
  url: string;
  /** Requests per second, sent at even intervals whatever the answers take (open loop). */
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** Keep-alive connections the requests share; a request due while all are busy waits for one (and it counts). */
  connections: number;
  body: (i: number) => string;
  headers: (i: number) => Record<string, string>;
  /** Called once when the warm-up ends and the measured seconds begin (to read counters). */
  onMeasureStart?: () => void;
}

export interface PacedLoadResult {
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * An open-loop load generator: request i is due at start + i / rate, and its latency runs from when it was due
 * to the end of its answer, so time spent waiting for a free connection counts (no coordinated omission).
 * autocannon's rate mode is not that: each connection sends back to back until it has used its share of the
 * second and then idles, so its "rate" is bursts at full speed, and its correction adds a synthetic sample per
 * millisecond of a slow answer. This is what "p99 at a rate" means for a service that clients call when they
 * need to. PACED_DEBUG=1 prints the worst latency per 250 ms of the schedule (warm-up included), to find stalls.
 */
export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.url);
  const latencies: number[] = [];
  const trace: [number, number][] = [];
  let ok = 0;
  let errors = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now() + 50;
  const warmupEnd = start + options.warmupSeconds * 1000;
  const end = warmupEnd + options.seconds * 1000;
  const intervalMs = 1000 / options.rate;

  const fire = (i: number, due: number) => {
    const measured = due >= warmupEnd;
    const body = options.body(i);
    const done = new Promise<void>((resolve) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers(i) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (process.env.PACED_DEBUG) trace.push([Math.round(due - start), Math.round(performance.now() - due)]);
            if (measured) {
              if (res.statusCode !== undefined && res.statusCode < 300) {
                ok++;
                latencies.push(performance.now() - due);
              } else {
                errors++;
              }
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        if (measured) errors++;
        resolve();
      });
      req.end(body);
    });
    if (measured) sent++;
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  let next = 0;
  let measuring = false;
  while (true) {
    const now = performance.now();
    if (now >= end) break;
    if (!measuring && now >= warmupEnd) {
      measuring = true;
      options.onMeasureStart?.();
    }
    while (start + next * intervalMs <= now) {
      fire(next, start + next * intervalMs);
      next++;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(intervalMs, start + next * intervalMs - performance.now()))));
  }
  await Promise.all(inFlight);
  agent.destroy();
  if (process.env.PACED_DEBUG) {
    const buckets = new Map<number, number>();
    for (const [at, ms] of trace) buckets.set(Math.floor(at / 250), Math.max(buckets.get(Math.floor(at / 250)) ?? 0, ms));
    console.log([...buckets].sort((a, b) => a[0] - b[0]).map(([b, ms]) => `${b * 250}:${ms}`).join(' '));
  }
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { sent, ok, errors, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1] ?? NaN) };
}
