import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import {
  DiskHealthIndicator,
  HealthCheckService,
  type HealthIndicatorFunction,
  MemoryHealthIndicator,
  MikroOrmHealthIndicator,
} from '@nestjs/terminus';
import { cpus, loadavg } from 'node:os';
import { withTimeout } from '../../common/resilience/with-timeout';
import { AppConfig } from '../../config/app-config';
import { ReplicaRouter } from '../../database/replica-router';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';
import { PerformanceMonitor } from '../metrics/performance-monitor';
import { NotReadyError, UnhealthyError } from './health.errors';

type Dependency = { status: 'up' | 'down' | 'not_configured'; latencyMs?: number; error?: string };

const DB_TIMEOUT_MS = 1500;
const REDIS_TIMEOUT_MS = 1000;

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<Dependency> {
  const started = performance.now();
  try {
    await withTimeout(fn(), timeoutMs);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { status: 'down', error: (error as Error).message.slice(0, 200) };
  }
}

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: MikroOrmHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly disk: DiskHealthIndicator,
    private readonly orm: MikroORM,
    private readonly config: AppConfig,
    private readonly monitor: PerformanceMonitor,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly replicas: ReplicaRouter,
  ) {}

  live() {
    return { status: 'ok' as const, uptimeSeconds: this.uptimeSeconds() };
  }

  /**
   * Ready when the database answers and heap and disk are under their limits. Redis is not a condition: without it
   * the instance keeps serving with its own cache and rate limits (GET /health then says degraded), and taking every
   * instance out of the load balancer because of a Redis outage would turn a degradation into a full outage.
   */
  async ready() {
    const { health: cfg } = this.config;
    const checks: HealthIndicatorFunction[] = [
      () => this.db.pingCheck('database', { connection: this.orm }).withTimeout(DB_TIMEOUT_MS),
      () => this.memory.checkHeap('heap', cfg.heapLimitBytes),
      () => this.disk.checkStorage('disk', { path: cfg.diskPath, thresholdPercent: cfg.diskThreshold }),
    ];
    try {
      return await this.health.check(checks);
    } catch (error) {
      const body = (error as { response?: { error?: Record<string, unknown>; details?: Record<string, unknown> } })
        .response;
      if (body?.details) {
        throw new NotReadyError(Object.keys(body?.error ?? {}), body?.details ?? {});
      }
      throw error;
    }
  }

  /**
   * The detailed view operators read: the verdict (healthy, degraded, unhealthy) with its reasons, dependencies with
   * latencies, the performance monitor's figures over its window, and process and host figures. A database that
   * does not answer makes the instance unhealthy (503); Redis down makes it degraded (it serves from memory).
   */
  async details() {
    // The figures first: the probe's own database ping must not show up as a queued request.
    const performance = await this.monitor.report();
    const [database, redis, replica] = await Promise.all([
      timed(() => this.orm.em.getConnection().execute('SELECT 1'), DB_TIMEOUT_MS),
      this.redis
        ? timed(() => this.redis!.ping(), REDIS_TIMEOUT_MS)
        : Promise.resolve<Dependency>({ status: 'not_configured' }),
      this.replicas.status(),
    ]);
    const maxLag = this.config.database.replicaMaxLagSeconds;
    const replicaBehind = replica.status === 'up' && (replica.lagSeconds ?? 0) > maxLag;
    const reasons: string[] = [];
    if (database.status === 'down') reasons.push('database does not answer');
    reasons.push(...performance.reasons);
    if (redis.status === 'down')
      reasons.push(
        'Redis does not answer: cache, rate limits and invalidations are kept in this instance until it is back',
      );
    if (replica.status === 'down') reasons.push('the read replica does not answer: runs read the primary');
    if (replicaBehind)
      reasons.push(`the read replica is ${replica.lagSeconds} s behind (over ${maxLag} s): runs read the primary`);
    const status =
      database.status === 'down' || performance.verdict === 'unhealthy'
        ? 'unhealthy'
        : redis.status === 'down' || replica.status === 'down' || replicaBehind || performance.verdict === 'degraded'
          ? 'degraded'
          : 'healthy';
    const mem = process.memoryUsage();
    const report = {
      status,
      reasons,
      timestamp: new Date().toISOString(),
      uptimeSeconds: this.uptimeSeconds(),
      database,
      redis,
      replica,
      performance: performance.figures,
      system: {
        node: process.version,
        pid: process.pid,
        cpus: cpus().length,
        loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
        memory: {
          rssBytes: mem.rss,
          heapUsedBytes: mem.heapUsed,
          heapTotalBytes: mem.heapTotal,
          heapLimitBytes: this.config.health.heapLimitBytes,
        },
      },
    };
    if (status === 'unhealthy') throw new UnhealthyError(report);
    return report;
  }

  private uptimeSeconds(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }
}
