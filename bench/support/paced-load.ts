import { connect, type Socket } from 'node:net';
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
  /** CPU time this generator spent per measured request (user + system), in µs. */
  clientCpuMicros: number;
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

interface Due {
  i: number;
  at: number;
  measured: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection that sends prepared requests one at a time and reads just enough of each
 * answer (status, Content-Length or chunked end) to know when it is complete: the load generator shares the two
 * cores with the service, so it must cost little per request (node:http's client cost ~180 µs here).
 */
class Connection {
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private onAnswer?: (status: number) => void;
  private closed = false;

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', () => undefined);
    // A connection the server closed is not used again; its request in flight counts as an error.
    this.socket.on('close', () => {
      this.closed = true;
      this.finish(0);
    });
  }

  get busy(): boolean {
    return this.closed || this.onAnswer !== undefined;
  }

  send(request: Buffer, onAnswer: (status: number) => void): void {
    this.onAnswer = onAnswer;
    this.socket.write(request);
  }

  close(): void {
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const headerEnd = this.pending.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.pending.subarray(0, headerEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (length) {
      end = headerEnd + 4 + Number(length[1]);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = this.pending.indexOf('\r\n0\r\n\r\n', headerEnd + 2);
      if (last < 0) return;
      end = last + 7;
    } else {
      end = headerEnd + 4;
    }
    if (this.pending.length < end) return;
    this.pending = this.pending.subarray(end);
    this.finish(status);
  }

  private finish(status: number): void {
    const answer = this.onAnswer;
    this.onAnswer = undefined;
    answer?.(status);
  }
}

/**
 * An open-loop load generator: request i is due at start + i / rate, and its latency runs from when it was due
 * to the end of its answer, so time spent waiting for a free connection counts (no coordinated omission).
 * autocannon's rate mode is not that: each connection sends back to back until it has used its share of the
 * second and then idles, so its "rate" is bursts at full speed, and its correction adds a synthetic sample per
 * millisecond of a slow answer. This is what "p99 at a rate" means for a service that clients call when they
 * need to. Requests are prepared once (up to 5,000 distinct ones, reused in turn). PACED_DEBUG=1 prints the worst
 * latency per 250 ms of the schedule (warm-up included), to find stalls.
 */
export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const url = new URL(options.url);
  const prepared = Array.from({ length: 5000 }, (_, i) => {
    const body = Buffer.from(options.body(i), 'utf8');
    const headers = { host: url.host, 'content-type': 'application/json', 'content-length': String(body.length), ...options.headers(i) };
    const head = `POST ${url.pathname} HTTP/1.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  });
  const connections = Array.from({ length: options.connections }, () => new Connection(url.hostname, Number(url.port)));
  const queue: Due[] = [];
  const latencies: number[] = [];
  const trace: [number, number][] = [];
  let ok = 0;
  let errors = 0;
  let sent = 0;
  let outstanding = 0;
  const start = performance.now() + 50;
  const warmupEnd = start + options.warmupSeconds * 1000;
  const end = warmupEnd + options.seconds * 1000;
  const intervalMs = 1000 / options.rate;

  const dispatch = () => {
    for (const connection of connections) {
      if (queue.length === 0) return;
      if (connection.busy) continue;
      const due = queue.shift()!;
      connection.send(prepared[due.i % prepared.length], (status) => {
        const latency = performance.now() - due.at;
        if (process.env.PACED_DEBUG) trace.push([Math.round(due.at - start), Math.round(latency)]);
        if (due.measured) {
          if (status >= 200 && status < 300) {
            ok++;
            latencies.push(latency);
          } else {
            errors++;
          }
        }
        outstanding--;
        dispatch();
      });
    }
  };

  let next = 0;
  let measuring = false;
  let cpuAtStart = process.cpuUsage();
  while (true) {
    const now = performance.now();
    if (now >= end) break;
    if (!measuring && now >= warmupEnd) {
      measuring = true;
      cpuAtStart = process.cpuUsage();
      options.onMeasureStart?.();
    }
    while (start + next * intervalMs <= now) {
      const at = start + next * intervalMs;
      const measured = at >= warmupEnd;
      if (measured) sent++;
      outstanding++;
      queue.push({ i: next, at, measured });
      next++;
    }
    dispatch();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(intervalMs, start + next * intervalMs - performance.now()))));
  }
  const giveUp = performance.now() + 30_000;
  while (outstanding > 0 && performance.now() < giveUp) await new Promise((resolve) => setTimeout(resolve, 5));
  errors += outstanding; // never answered (every connection closed)
  const cpu = process.cpuUsage(cpuAtStart);
  for (const connection of connections) connection.close();
  if (process.env.PACED_DEBUG) {
    const buckets = new Map<number, number>();
    for (const [at, ms] of trace) buckets.set(Math.floor(at / 250), Math.max(buckets.get(Math.floor(at / 250)) ?? 0, ms));
    console.log([...buckets].sort((a, b) => a[0] - b[0]).map(([b, ms]) => `${b * 250}:${ms}`).join(' '));
  }
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    clientCpuMicros: sent > 0 ? (cpu.user + cpu.system) / sent : NaN,
    sent,
    ok,
    errors,
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[latencies.length - 1] ?? NaN),
  };
}
