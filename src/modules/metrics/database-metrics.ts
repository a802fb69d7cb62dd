import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { Histogram } from 'prom-client';
import { ReplicaRouter } from '../../database/replica-router';
import { MetricsService } from '../../observability/metrics.service';

const INSTRUMENTED = Symbol('queryMetrics');
type PoolName = 'primary' | 'replica';

/**
 * Database figures from the ORM's node-postgres pools: every query's duration (the histogram's count is the query
 * count), the pools' busy, idle and waiting connections, and their size. A query is timed when it returns a
 * promise (every ORM and SqlPool query does); COPY streams are counted without a duration.
 */
@Injectable()
export class DatabaseMetrics implements OnApplicationBootstrap {
  private readonly pools = new Map<PoolName, Pool>();
  private readonly queries: Histogram<'pool' | 'outcome'>;

  constructor(
    private readonly orm: MikroORM,
    metrics: MetricsService,
    replica: ReplicaRouter,
  ) {
    this.queries = metrics.histogram({
      name: 'db_query_duration_seconds',
      help: 'Duration of database queries by pool (primary, replica) and outcome (ok, error); the count is the number of queries',
      labelNames: ['pool', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    });
    const pools = this.pools;
    metrics.counter({
      name: 'analytics_run_reads_total',
      help: 'Mining runs and insight generations by where they read (replica, primary)',
      labelNames: ['source'],
      collect() {
        this.reset();
        for (const [source, n] of Object.entries(replica.reads.run)) this.inc({ source }, n);
      },
    });
    metrics.counter({
      name: 'export_reads_total',
      help: 'Personal-data exports by where they read the events (replica, primary)',
      labelNames: ['source'],
      collect() {
        this.reset();
        for (const [source, n] of Object.entries(replica.reads.export)) this.inc({ source }, n);
      },
    });
    if (replica.configured)
      metrics.gauge({
        name: 'database_replica_lag_seconds',
        help: 'How far the read replica replays behind, in seconds (-1 when it does not answer)',
        async collect() {
          const status = await replica.status();
          this.set(status.status === 'up' ? (status.lagSeconds ?? 0) : -1);
        },
      });
    metrics.gauge({
      name: 'db_pool_connections',
      help: 'Connections of the database pools by pool and state (busy, idle)',
      labelNames: ['pool', 'state'],
      collect() {
        for (const [name, pool] of pools) {
          this.set({ pool: name, state: 'busy' }, pool.totalCount - pool.idleCount);
          this.set({ pool: name, state: 'idle' }, pool.idleCount);
        }
      },
    });
    metrics.gauge({
      name: 'db_pool_waiting_requests',
      help: 'Requests waiting for a pooled database connection (the database queue)',
      labelNames: ['pool'],
      collect() {
        for (const [name, pool] of pools) this.set({ pool: name }, pool.waitingCount);
      },
    });
    metrics.gauge({
      name: 'db_pool_max_connections',
      help: 'Size limit of each database pool (DATABASE_POOL_MAX)',
      labelNames: ['pool'],
      collect() {
        for (const [name, pool] of pools) this.set({ pool: name }, pool.options.max ?? 10);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const primary = await this.orm.em.getConnection('write').getNativeClient();
    const read = await this.orm.em.getConnection('read').getNativeClient();
    this.watch('primary', primary);
    if (read !== primary) this.watch('replica', read);
  }

  /** Busy and waiting figures of the primary pool now (the performance monitor samples them). */
  primaryPool(): { busy: number; idle: number; waiting: number; max: number } | null {
    const pool = this.pools.get('primary');
    return pool
      ? {
          busy: pool.totalCount - pool.idleCount,
          idle: pool.idleCount,
          waiting: pool.waitingCount,
          max: pool.options.max ?? 10,
        }
      : null;
  }

  private watch(name: PoolName, pool: Pool): void {
    this.pools.set(name, pool);
    // Every checkout passes through 'acquire' (pool.query included); each client is instrumented once.
    pool.on('acquire', (client) => this.instrument(name, client));
  }

  private instrument(pool: PoolName, client: PoolClient): void {
    const target = client as PoolClient & { [INSTRUMENTED]?: true };
    if (target[INSTRUMENTED]) return;
    target[INSTRUMENTED] = true;
    // Unbound on purpose: called below with the client as `this`, exactly as pg calls it.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = client.query as (...args: unknown[]) => unknown;
    const queries = this.queries;
    (client as { query: unknown }).query = function instrumentedQuery(this: PoolClient, ...args: unknown[]) {
      const started = performance.now();
      const result = original.apply(this, args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(
          () => queries.observe({ pool, outcome: 'ok' }, (performance.now() - started) / 1000),
          () => queries.observe({ pool, outcome: 'error' }, (performance.now() - started) / 1000),
        );
      } else {
        queries.observe({ pool, outcome: 'ok' }, 0);
      }
      return result;
    };
  }
}
