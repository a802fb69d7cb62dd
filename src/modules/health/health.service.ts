import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { DiskHealthIndicator, HealthCheckService, type HealthIndicatorFunction, HealthIndicatorService, MemoryHealthIndicator, MikroOrmHealthIndicator } from '@nestjs/terminus';
import { cpus, loadavg } from 'node:os';
import { AppConfig } from '../../config/app-config';
import { REDIS_CLIENT, type RedisClient } from '../../redis/redis.module';
import { NotReadyError, UnhealthyError } from './health.errors';

type Dependency = { status: 'up' | 'down' | 'not_configured'; latencyMs?: number; error?: string };

const DB_TIMEOUT_MS = 1500;
const REDIS_TIMEOUT_MS = 1000;

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<Dependency> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)))]);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { status: 'down', error: (error as Error).message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class HealthService {
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly db: MikroOrmHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly disk: DiskHealthIndicator,
    private readonly orm: MikroORM,
    private readonly config: AppConfig,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {}

  live() {
    return { status: 'ok' as const, uptimeSeconds: this.uptimeSeconds() };
  }

  /** Ready when the database answers, Redis answers (if configured), and heap and disk are under their limits. */
  async ready() {
    const { health: cfg } = this.config;
    const checks: HealthIndicatorFunction[] = [
      () => this.db.pingCheck('database', { connection: this.orm }).withTimeout(DB_TIMEOUT_MS),
      () => this.memory.checkHeap('heap', cfg.heapLimitBytes),
      () => this.disk.checkStorage('disk', { path: cfg.diskPath, thresholdPercent: cfg.diskThreshold }),
    ];
    if (this.redis) {
      const redis = this.redis;
      checks.push(() => this.indicator.check('redis').attempt(async () => void (await redis.ping())).withTimeout(REDIS_TIMEOUT_MS));
    }
    try {
      return await this.health.check(checks);
    } catch (error) {
      const body = (error as { response?: { error?: Record<string, unknown>; details?: Record<string, unknown> } }).response;
      if (body?.details) {
        throw new NotReadyError(Object.keys(body?.error ?? {}), body?.details ?? {});
      }
      throw error;
    }
  }

  /** The detailed view operators read: dependencies with latencies, process and host figures. */
  async details() {
    const [database, redis] = await Promise.all([
      timed(() => this.orm.em.getConnection().execute('SELECT 1'), DB_TIMEOUT_MS),
      this.redis ? timed(() => this.redis!.ping(), REDIS_TIMEOUT_MS) : Promise.resolve<Dependency>({ status: 'not_configured' }),
    ]);
    const mem = process.memoryUsage();
    const healthy = database.status === 'up' && redis.status !== 'down';
    const report = {
      status: healthy ? ('healthy' as const) : ('unhealthy' as const),
      timestamp: new Date().toISOString(),
      uptimeSeconds: this.uptimeSeconds(),
      database,
      redis,
      system: {
        node: process.version,
        pid: process.pid,
        cpus: cpus().length,
        loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
        memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal, heapLimitBytes: this.config.health.heapLimitBytes },
      },
    };
    if (!healthy) throw new UnhealthyError(report);
    return report;
  }

  private uptimeSeconds(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }
}
