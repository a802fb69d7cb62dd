export type Verdict = 'healthy' | 'degraded' | 'unhealthy';

/** The figures of one sliding window, as GET /health shows them. Null where the window has no data for it. */
export interface PerformanceFigures {
  windowSeconds: number;
  requests: number;
  throughputPerSecond: number;
  errorRate: number | null;
  responseTimeMs: { p50: number | null; p95: number | null; p99: number | null };
  eventLoopLagMs: { p99: number; max: number };
  cpuPercent: number;
  memory: { rssBytes: number; heapUsedBytes: number; heapLimitBytes: number };
  database: {
    queries: number;
    queriesPerSecond: number;
    meanQueryMs: number | null;
    pool: { busy: number; idle: number; waiting: number; max: number } | null;
    saturatedShare: number;
  };
  cache: { lookups: number; hitRate: number | null };
  activeConnections: number;
  queueLength: number;
}

export interface PerformanceLimits {
  p95Ms: number;
  errorRate: number;
  eventLoopLagMs: number;
}

/** Below this many requests in the window, response times and error rates are shown but not judged. */
export const MIN_JUDGED_REQUESTS = 20;
/** How far past a limit a figure turns the verdict from degraded to unhealthy. */
export const UNHEALTHY_FACTOR = 5;
/** Heap use, as a share of HEALTH_HEAP_LIMIT_MB, above which the instance is degraded (readiness fails at 1). */
export const HEAP_DEGRADED_SHARE = 0.9;
/** Share of the window's samples with requests waiting for a database connection that makes the pool saturated. */
export const POOL_SATURATED_SHARE = 0.5;

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * The performance verdict: each figure against its limit — above it degraded, above `UNHEALTHY_FACTOR` times it
 * unhealthy — and the reasons, worst first. Pure, so every boundary is unit-tested.
 */
export function judgePerformance(
  f: PerformanceFigures,
  limits: PerformanceLimits,
): { verdict: Verdict; reasons: string[] } {
  const unhealthy: string[] = [];
  const degraded: string[] = [];
  const judge = (value: number | null, limit: number, what: (v: number, l: number) => string, hardCap = Infinity) => {
    if (value === null) return;
    const hard = Math.min(limit * UNHEALTHY_FACTOR, hardCap);
    if (value > hard) unhealthy.push(what(value, hard));
    else if (value > limit) degraded.push(what(value, limit));
  };
  if (f.requests >= MIN_JUDGED_REQUESTS) {
    judge(f.responseTimeMs.p95, limits.p95Ms, (v, l) => `p95 response time ${round(v)} ms is above ${l} ms`);
    judge(f.errorRate, limits.errorRate, (v, l) => `error rate ${round(v * 100)} % is above ${round(l * 100)} %`, 1);
  }
  judge(f.eventLoopLagMs.p99, limits.eventLoopLagMs, (v, l) => `event-loop lag p99 ${round(v)} ms is above ${l} ms`);
  const heapShare = f.memory.heapUsedBytes / f.memory.heapLimitBytes;
  if (heapShare > HEAP_DEGRADED_SHARE) degraded.push(`heap use ${round(heapShare * 100)} % of HEALTH_HEAP_LIMIT_MB`);
  if (f.database.saturatedShare > POOL_SATURATED_SHARE)
    degraded.push(
      `database pool saturated: requests waited for a connection in ${round(f.database.saturatedShare * 100)} % of the window`,
    );
  const reasons = [...unhealthy, ...degraded];
  return { verdict: unhealthy.length > 0 ? 'unhealthy' : degraded.length > 0 ? 'degraded' : 'healthy', reasons };
}

/** The q-quantile of a cumulative histogram (upper bounds ascending, counts cumulative), interpolated in its bucket. */
export function histogramQuantile(q: number, bounds: number[], cumulative: number[]): number | null {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (cumulative[i] >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1];
      const below = i === 0 ? 0 : cumulative[i - 1];
      const inBucket = cumulative[i] - below;
      if (!Number.isFinite(bounds[i])) return lower; // past the last finite bound: report the bound, as Prometheus does
      return inBucket === 0 ? bounds[i] : lower + ((bounds[i] - lower) * (rank - below)) / inBucket;
    }
  }
  return bounds[bounds.length - 2] ?? null;
}
