import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Metric } from 'prom-client';
import { AppConfig } from '../../config/app-config';
import { DatabaseMetrics } from './database-metrics';
import { HTTP_DURATION_BUCKETS } from './http-metrics';
import { MetricsService } from '../../observability/metrics.service';
import { histogramQuantile, judgePerformance, type PerformanceFigures, type Verdict } from './performance-verdict';

/** Samples per window: the window slides in steps of a twelfth of it. */
const SAMPLES_PER_WINDOW = 12;
const BOUNDS = [...HTTP_DURATION_BUCKETS, Infinity];

interface Snapshot {
  at: number;
  requests: number;
  errors: number;
  /** Cumulative request counts per bucket of BOUNDS. */
  buckets: number[];
  cpuMicros: number;
  dbQueries: number;
  dbSeconds: number;
  cacheHits: number;
  cacheMisses: number;
  poolWaiting: number;
  openConnections: number;
  /** Event-loop delay over the interval that ends at this snapshot. */
  lagP99Ms: number;
  lagMaxMs: number;
}

export interface PerformanceReport {
  verdict: Verdict;
  reasons: string[];
  figures: PerformanceFigures;
}

type Values = Awaited<ReturnType<Metric['get']>>['values'];

/**
 * The operations guide's performance monitor, computed from the Prometheus metrics over a sliding window
 * (`MONITOR_WINDOW_SECONDS`): response times, throughput, error rate, event-loop lag, CPU, memory, database
 * queries and pool, cache hit rate, open connections and the database queue. GET /health shows its verdict.
 */
@Injectable()
export class PerformanceMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly snapshots: Snapshot[] = [];
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly metrics: MetricsService,
    private readonly database: DatabaseMetrics,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.loopDelay.enable();
    this.snapshots.push(await this.snapshot());
    const everyMs = (this.config.monitor.windowSeconds * 1000) / SAMPLES_PER_WINDOW;
    this.timer = setInterval(() => void this.sample(), everyMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.loopDelay.disable();
  }

  /** The figures of the last window, up to this moment, and their verdict. */
  async report(): Promise<PerformanceReport> {
    const now = await this.snapshot();
    const windowMs = this.config.monitor.windowSeconds * 1000;
    const inWindow = this.snapshots.filter((s) => s.at >= now.at - windowMs);
    // The baseline is the newest sample at or before the window's start, else the oldest there is (a young process).
    const base = [...this.snapshots].reverse().find((s) => s.at <= now.at - windowMs) ?? this.snapshots[0] ?? now;
    const figures = this.figures(base, now, [...inWindow, now]);
    const { p95Ms, errorRate, eventLoopLagMs } = this.config.monitor;
    return { ...judgePerformance(figures, { p95Ms, errorRate, eventLoopLagMs }), figures };
  }

  private async sample(): Promise<void> {
    const snap = await this.snapshot();
    this.snapshots.push(snap);
    // Keep one sample older than the window: the baseline of the next report.
    const cutoff = snap.at - this.config.monitor.windowSeconds * 1000;
    while (this.snapshots.length > 2 && this.snapshots[1].at <= cutoff) this.snapshots.shift();
  }

  private figures(base: Snapshot, now: Snapshot, samples: Snapshot[]): PerformanceFigures {
    const seconds = Math.max((now.at - base.at) / 1000, 0.001);
    const requests = now.requests - base.requests;
    const cumulative = now.buckets.map((c, i) => c - base.buckets[i]);
    const quantile = (q: number) => {
      const v = histogramQuantile(q, BOUNDS, cumulative);
      return v === null ? null : Math.round(v * 10_000) / 10;
    };
    const queries = now.dbQueries - base.dbQueries;
    const hits = now.cacheHits - base.cacheHits;
    const lookups = hits + now.cacheMisses - base.cacheMisses;
    const mem = process.memoryUsage();
    const pool = this.database.primaryPool();
    const round1 = (n: number) => Math.round(n * 10) / 10;
    return {
      windowSeconds: Math.round(seconds),
      requests,
      throughputPerSecond: round1(requests / seconds),
      errorRate: requests > 0 ? Math.round(((now.errors - base.errors) / requests) * 10_000) / 10_000 : null,
      responseTimeMs: { p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99) },
      eventLoopLagMs: {
        p99: round1(Math.max(...samples.map((s) => s.lagP99Ms))),
        max: round1(Math.max(...samples.map((s) => s.lagMaxMs))),
      },
      cpuPercent: round1(((now.cpuMicros - base.cpuMicros) / 1e6 / seconds) * 100),
      memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapLimitBytes: this.config.health.heapLimitBytes },
      database: {
        queries,
        queriesPerSecond: round1(queries / seconds),
        meanQueryMs: queries > 0 ? Math.round(((now.dbSeconds - base.dbSeconds) / queries) * 10_000) / 10 : null,
        pool,
        saturatedShare: Math.round((samples.filter((s) => s.poolWaiting > 0).length / samples.length) * 100) / 100,
      },
      cache: { lookups, hitRate: lookups > 0 ? Math.round((hits / lookups) * 1000) / 1000 : null },
      activeConnections: now.openConnections,
      queueLength: pool?.waiting ?? 0,
    };
  }

  private async snapshot(): Promise<Snapshot> {
    const names = [
      'http_request_duration_seconds',
      'db_query_duration_seconds',
      'cache_lookups_total',
      'http_open_connections',
    ];
    const values = new Map<string, Values>();
    for (const name of names) {
      const metric = this.metrics.registry.getSingleMetric(name);
      values.set(name, metric ? (await metric.get()).values : []);
    }
    const http = values.get('http_request_duration_seconds')!;
    const buckets = BOUNDS.map(() => 0);
    let requests = 0;
    let errors = 0;
    for (const v of http) {
      const name = (v as { metricName?: string }).metricName;
      if (name?.endsWith('_bucket')) {
        const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
        const i = BOUNDS.indexOf(le);
        if (i >= 0) buckets[i] += v.value;
      } else if (name?.endsWith('_count')) {
        requests += v.value;
        if (v.labels.status_class === '5xx') errors += v.value;
      }
    }
    const db = values.get('db_query_duration_seconds')!;
    const cache = values.get('cache_lookups_total')!;
    const cpu = process.cpuUsage();
    const lagP99Ms = this.loopDelay.percentile(99) / 1e6;
    const lagMaxMs = this.loopDelay.max / 1e6;
    this.loopDelay.reset();
    return {
      at: Date.now(),
      requests,
      errors,
      buckets,
      cpuMicros: cpu.user + cpu.system,
      dbQueries: db
        .filter((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))
        .reduce((a, v) => a + v.value, 0),
      dbSeconds: db
        .filter((v) => (v as { metricName?: string }).metricName?.endsWith('_sum'))
        .reduce((a, v) => a + v.value, 0),
      cacheHits: cache.filter((v) => v.labels.result === 'hit').reduce((a, v) => a + v.value, 0),
      cacheMisses: cache.filter((v) => v.labels.result === 'miss').reduce((a, v) => a + v.value, 0),
      poolWaiting: this.database.primaryPool()?.waiting ?? 0,
      openConnections: (values.get('http_open_connections') ?? []).reduce((a, v) => a + v.value, 0),
      lagP99Ms: Number.isFinite(lagP99Ms) ? lagP99Ms : 0,
      lagMaxMs: Number.isFinite(lagMaxMs) ? lagMaxMs : 0,
    };
  }
}
