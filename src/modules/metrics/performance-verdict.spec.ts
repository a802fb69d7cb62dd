import {
  histogramQuantile,
  judgePerformance,
  MIN_JUDGED_REQUESTS,
  type PerformanceFigures,
} from './performance-verdict';

const limits = { p95Ms: 100, errorRate: 0.05, eventLoopLagMs: 50 };

function figures(
  over: {
    requests?: number;
    p95?: number | null;
    errorRate?: number | null;
    lag?: number;
    heapShare?: number;
    saturated?: number;
  } = {},
): PerformanceFigures {
  return {
    windowSeconds: 60,
    requests: over.requests ?? 100,
    throughputPerSecond: 1,
    errorRate: over.errorRate === undefined ? 0 : over.errorRate,
    responseTimeMs: { p50: 1, p95: over.p95 === undefined ? 10 : over.p95, p99: 20 },
    eventLoopLagMs: { p99: over.lag ?? 5, max: 10 },
    cpuPercent: 10,
    memory: { rssBytes: 1, heapUsedBytes: (over.heapShare ?? 0.5) * 1000, heapLimitBytes: 1000 },
    database: { queries: 1, queriesPerSecond: 1, meanQueryMs: 1, pool: null, saturatedShare: over.saturated ?? 0 },
    cache: { lookups: 0, hitRate: null },
    activeConnections: 1,
    queueLength: 0,
  };
}

describe(judgePerformance.name, () => {
  it('is healthy at every limit exactly', () => {
    expect(
      judgePerformance(figures({ p95: 100, errorRate: 0.05, lag: 50, heapShare: 0.9, saturated: 0.5 }), limits),
    ).toEqual({ verdict: 'healthy', reasons: [] });
  });

  it('is degraded just above a limit and unhealthy just above five times it', () => {
    expect(judgePerformance(figures({ p95: 100.1 }), limits)).toEqual({
      verdict: 'degraded',
      reasons: ['p95 response time 100.1 ms is above 100 ms'],
    });
    expect(judgePerformance(figures({ p95: 500 }), limits).verdict).toBe('degraded');
    expect(judgePerformance(figures({ p95: 500.1 }), limits)).toEqual({
      verdict: 'unhealthy',
      reasons: ['p95 response time 500.1 ms is above 500 ms'],
    });
    expect(judgePerformance(figures({ errorRate: 0.051 }), limits).verdict).toBe('degraded');
    expect(judgePerformance(figures({ errorRate: 0.26 }), limits)).toEqual({
      verdict: 'unhealthy',
      reasons: ['error rate 26 % is above 25 %'],
    });
    expect(judgePerformance(figures({ lag: 51 }), limits).verdict).toBe('degraded');
    expect(judgePerformance(figures({ lag: 251 }), limits).verdict).toBe('unhealthy');
  });

  it('caps the unhealthy error rate at 100 %', () => {
    expect(judgePerformance(figures({ errorRate: 1 }), { ...limits, errorRate: 0.5 })).toEqual({
      verdict: 'degraded',
      reasons: ['error rate 100 % is above 50 %'],
    });
  });

  it('does not judge response times and error rates of fewer than MIN_JUDGED_REQUESTS requests, but still judges lag', () => {
    expect(
      judgePerformance(figures({ requests: MIN_JUDGED_REQUESTS - 1, p95: 10_000, errorRate: 1 }), limits).verdict,
    ).toBe('healthy');
    expect(judgePerformance(figures({ requests: MIN_JUDGED_REQUESTS, p95: 10_000 }), limits).verdict).toBe('unhealthy');
    expect(judgePerformance(figures({ requests: 0, p95: null, errorRate: null, lag: 300 }), limits).verdict).toBe(
      'unhealthy',
    );
  });

  it('is degraded by a heap near its limit and a saturated pool, and lists unhealthy reasons first', () => {
    expect(judgePerformance(figures({ heapShare: 0.91 }), limits)).toEqual({
      verdict: 'degraded',
      reasons: ['heap use 91 % of HEALTH_HEAP_LIMIT_MB'],
    });
    expect(judgePerformance(figures({ saturated: 0.51 }), limits).reasons).toEqual([
      'database pool saturated: requests waited for a connection in 51 % of the window',
    ]);
    expect(judgePerformance(figures({ saturated: 1, lag: 1000 }), limits).reasons[0]).toMatch(/^event-loop lag/);
  });
});

describe(histogramQuantile.name, () => {
  const bounds = [0.01, 0.1, 1, Infinity];

  it('interpolates inside the bucket that holds the rank, as histogram_quantile does', () => {
    expect(histogramQuantile(0.5, bounds, [0, 10, 10, 10])).toBeCloseTo(0.055);
    expect(histogramQuantile(0.95, bounds, [50, 90, 100, 100])).toBeCloseTo(0.55);
    expect(histogramQuantile(0.5, bounds, [10, 10, 10, 10])).toBeCloseTo(0.005);
  });

  it('answers null without observations and the last finite bound past it', () => {
    expect(histogramQuantile(0.5, bounds, [0, 0, 0, 0])).toBeNull();
    expect(histogramQuantile(0.99, bounds, [0, 0, 0, 10])).toBe(1);
  });
});
