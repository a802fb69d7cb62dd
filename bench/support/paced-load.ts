import { join } from 'node:path';
import { runLoadProcess } from './processes';

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
  /** CPU time the generator process spent per measured request (user + system), in µs. */
  clientCpuMicros: number;
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  /** Full (mark-compact) collections in the generator during the measured seconds: each one can delay sends. */
  generatorMajorGcs: number;
  /** With PACED_DEBUG: the worst latency per 250 ms of the schedule, warm-up included, as `offset:ms` pairs. */
  trace?: string;
}

/** What the parent sends the generator process: the schedule and the raw requests, prepared in full. */
export interface PacedLoadSpec {
  host: string;
  port: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** Complete HTTP/1.1 requests (head and UTF-8 body) as latin1 strings, one character per byte; sent in turn. */
  requests: string[];
  debug: boolean;
}

/** Distinct requests prepared (reused in turn). */
const PREPARED = 5000;

/**
 * An open-loop load generator: request i is due at start + i / rate, and its latency runs from when it was due
 * to the end of its answer, so time spent waiting for a free connection counts (no coordinated omission).
 * autocannon's rate mode is not that: each connection sends back to back until it has used its share of the
 * second and then idles, so its "rate" is bursts at full speed, and its correction adds a synthetic sample per
 * millisecond of a slow answer. This is what "p99 at a rate" means for a service that clients call when they
 * need to.
 *
 * The generator runs in a process of its own (`paced-load-process`) that holds nothing but the prepared requests and
 * typed arrays, so that its pauses are few and short: run inside the benchmark's process (its database client, ORM
 * and prepared batches, some 36 MB live), its full collections came every 4 s at this rate and each held its sends
 * back for 20-35 ms, which the open-loop clock rightly counted as latency of the service. It reports how many full
 * collections fell in the measured seconds. PACED_DEBUG=1 prints the worst latency per 250 ms of the schedule
 * (warm-up included), to find stalls.
 */
export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const url = new URL(options.url);
  // Each request as bytes (head latin1, body UTF-8) carried in a latin1 string, which maps bytes one to one.
  const requests = Array.from({ length: PREPARED }, (_, i) => {
    const body = Buffer.from(options.body(i), 'utf8');
    const headers = {
      host: url.host,
      'content-type': 'application/json',
      'content-length': String(body.length),
      ...options.headers(i),
    };
    const head = `POST ${url.pathname} HTTP/1.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]).toString('latin1');
  });
  const spec: PacedLoadSpec = {
    host: url.hostname,
    port: Number(url.port),
    rate: options.rate,
    seconds: options.seconds,
    warmupSeconds: options.warmupSeconds,
    connections: options.connections,
    requests,
    debug: Boolean(process.env.PACED_DEBUG),
  };
  const result = await runLoadProcess<PacedLoadResult>(
    join(__dirname, 'paced-load-process.js'),
    spec,
    options.onMeasureStart,
  );
  if (result.trace) console.log(result.trace);
  return result;
}
