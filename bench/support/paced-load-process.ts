/**
 * The open-loop load generator's own process (see `pacedLoad`): receives a `PacedLoadSpec` over IPC, sends the
 * schedule, answers `measuring` when the warm-up ends and then the result. Per request it allocates next to nothing
 * that lives: latencies and statuses go into typed arrays indexed by request number, the queue of due requests is a
 * range of those numbers, and each connection knows which request it carries.
 */
import { connect, type Socket } from 'node:net';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { percentile } from './percentile';
import type { PacedLoadResult, PacedLoadSpec } from './paced-load';
import { serveLoadProcess } from './processes';

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');
const NO_REQUEST = -1;

/**
 * One keep-alive HTTP/1.1 connection that sends prepared requests one at a time and reads just enough of each
 * answer (status, Content-Length or chunked end) to know when it is complete: the generator shares the two cores
 * with the service, so it must cost little per request (node:http's client cost ~180 µs here).
 */
class Connection {
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private closed = false;
  /** The request number in flight, or NO_REQUEST. */
  current = NO_REQUEST;

  constructor(
    host: string,
    port: number,
    private readonly onAnswer: (connection: Connection, status: number) => void,
  ) {
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
    return this.closed || this.current !== NO_REQUEST;
  }

  send(i: number, request: Buffer): void {
    this.current = i;
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
      const last = this.pending.indexOf(CHUNKED_END, headerEnd + 2);
      if (last < 0) return;
      end = last + CHUNKED_END.length;
    } else {
      end = headerEnd + 4;
    }
    if (this.pending.length < end) return;
    this.pending = this.pending.subarray(end);
    this.finish(status);
  }

  private finish(status: number): void {
    if (this.current === NO_REQUEST) return;
    this.onAnswer(this, status);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(spec: PacedLoadSpec, measuringStarts: () => void): Promise<PacedLoadResult> {
  const prepared = spec.requests.map((r) => Buffer.from(r, 'latin1'));
  const intervalMs = 1000 / spec.rate;
  const total = Math.ceil(spec.rate * (spec.warmupSeconds + spec.seconds));
  const firstMeasured = Math.ceil(spec.rate * spec.warmupSeconds);
  const latency = new Float64Array(total).fill(NaN);
  const status = new Uint16Array(total);
  let majorGcs = 0;
  let measuring = false;
  const gcObserver = new PerformanceObserver((list) => {
    if (!measuring) return;
    for (const entry of list.getEntries())
      if (
        (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ===
        constants.NODE_PERFORMANCE_GC_MAJOR
      )
        majorGcs++;
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  const start = performance.now() + 50;
  const dueAt = (i: number) => start + i * intervalMs;
  let nextToSend = 0; // requests [nextToSend, due) are due and wait for a connection
  let due = 0;
  let outstanding = 0;
  const dispatch = () => {
    for (const connection of connections) {
      if (nextToSend >= due) return;
      if (connection.busy) continue;
      connection.send(nextToSend, prepared[nextToSend % prepared.length]);
      nextToSend++;
    }
  };
  const onAnswer = (connection: Connection, code: number) => {
    const i = connection.current;
    connection.current = NO_REQUEST;
    latency[i] = performance.now() - dueAt(i);
    status[i] = code;
    outstanding--;
    dispatch();
  };
  const connections = Array.from({ length: spec.connections }, () => new Connection(spec.host, spec.port, onAnswer));

  let cpuAtStart = process.cpuUsage();
  while (due < total) {
    const now = performance.now();
    if (!measuring && now >= dueAt(firstMeasured)) {
      measuring = true;
      cpuAtStart = process.cpuUsage();
      measuringStarts();
    }
    while (due < total && dueAt(due) <= now) {
      due++;
      outstanding++;
    }
    dispatch();
    if (due < total) await sleep(Math.max(0, Math.min(intervalMs, dueAt(due) - performance.now())));
  }
  const giveUp = performance.now() + 30_000;
  while (outstanding > 0 && performance.now() < giveUp) {
    dispatch();
    await sleep(5);
  }
  const cpu = process.cpuUsage(cpuAtStart);
  gcObserver.disconnect();
  for (const connection of connections) connection.close();

  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  for (let i = firstMeasured; i < total; i++) {
    if (status[i] >= 200 && status[i] < 300) {
      ok++;
      latencies.push(latency[i]);
    } else {
      errors++; // an error status, or never answered (every connection closed)
    }
  }
  latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const measured = total - firstMeasured;
  return {
    clientCpuMicros: measured > 0 ? (cpu.user + cpu.system) / measured : NaN,
    sent: measured,
    ok,
    errors,
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[latencies.length - 1] ?? NaN),
    generatorMajorGcs: majorGcs,
    ...(spec.debug ? { trace: worstPerQuarterSecond(latency, intervalMs) } : {}),
  };
}

function worstPerQuarterSecond(latency: Float64Array, intervalMs: number): string {
  const worst = new Map<number, number>();
  latency.forEach((ms, i) => {
    if (Number.isNaN(ms)) return;
    const bucket = Math.floor((i * intervalMs) / 250);
    worst.set(bucket, Math.max(worst.get(bucket) ?? 0, ms));
  });
  return [...worst].map(([bucket, ms]) => `${bucket * 250}:${Math.round(ms)}`).join(' ');
}

serveLoadProcess(run);
