import { join } from 'node:path';
import { runLoadProcess } from './processes';

/** A closed-loop autocannon run: `connections` each send the next request as soon as the previous one is answered. */
export interface ClosedLoadSpec {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  /** Seconds run first and not measured (JIT, pools, caches). */
  warmupSeconds: number;
  seconds: number;
  /** autocannon's rate mode (requests/s over all connections): each connection sends its share in bursts. */
  overallRate?: number;
  headers?: Record<string, string>;
  /** Request bodies, sent in turn. */
  bodies?: string[];
  /** Bearer tokens, one per request in turn (several clients, as rate limits are per client). */
  tokens?: string[];
}

export interface ClosedLoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
}

/**
 * autocannon in a load process of its own (see `runLoadProcess`); `onMeasureStart` is called when the warm-up ends,
 * to read counters.
 */
export function closedLoad(spec: ClosedLoadSpec, onMeasureStart?: () => void): Promise<ClosedLoadResult> {
  return runLoadProcess<ClosedLoadResult>(join(__dirname, 'closed-load-process.js'), spec, onMeasureStart);
}
