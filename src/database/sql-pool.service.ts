import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { ReadFrom } from './replica-router';
import { isServerError } from './server-error';

/** Limits of one analytics snapshot (`SqlPool.snapshot`). */
export interface SnapshotLimits {
  statementTimeoutMs: number;
  workMemMb: number;
}

/** Runs one statement in a snapshot and answers its rows. */
export type SnapshotQuery = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * Plain SQL on the ORM's own write pool, for hot paths and bulk work. MikroORM's `execute` expands array
 * parameters into lists; node-postgres binds them as PostgreSQL arrays (`unnest($1::uuid[])`), which bulk
 * statements need.
 */
@Injectable()
export class SqlPool {
  constructor(private readonly em: EntityManager) {}

  /** The primary's pool, or the replica's (`DATABASE_URL_REPLICA`) for reads `ReplicaRouter` sent there. */
  private pool(source: ReadFrom = 'primary'): Promise<Pool> {
    return this.em.getConnection(source === 'replica' ? 'read' : 'write').getNativeClient();
  }

  /**
   * One statement on a pooled connection. `name` makes it a prepared statement (parsed and planned once per
   * connection, then only bound and executed): use it for statements on hot paths with a fixed text.
   */
  async query<T extends QueryResultRow>(sql: string, params: unknown[] = [], name?: string): Promise<T[]> {
    const pool = await this.pool();
    const result = name ? await pool.query<T>({ name, text: sql, values: params }) : await pool.query<T>(sql, params);
    return result.rows;
  }

  /** One statement on `source`'s pool (see `pool`). */
  async queryFrom<T extends QueryResultRow>(source: ReadFrom, sql: string, params: unknown[] = []): Promise<T[]> {
    return (await (await this.pool(source)).query<T>(sql, params)).rows;
  }

  /**
   * Runs `work` on one pooled connection outside any explicit transaction. A connection that failed for a reason
   * other than a server error (which leaves it usable) is discarded instead of going back to the pool.
   */
  async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await (await this.pool()).connect();
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      if (!isServerError(error)) broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Runs `work` in one transaction on one connection of `source`'s pool; rolls back when it throws. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>, source: ReadFrom = 'primary'): Promise<T> {
    const client = await (await this.pool(source)).connect();
    let broken: Error | undefined;
    try {
      return await inTransaction(client, work);
    } catch (error) {
      broken = (error as { connectionBroken?: Error }).connectionBroken;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Runs analytics in one consistent, read-only snapshot (a repeatable-read transaction) with its own statement
   * timeout and work_mem: what mining and insight generation read from. `query` runs one statement in it, on the
   * server `ReplicaRouter.sourceFor` chose for the run.
   */
  async snapshot<T>(
    limits: SnapshotLimits,
    work: (query: SnapshotQuery, client: PoolClient) => Promise<T>,
    source: ReadFrom = 'primary',
  ): Promise<T> {
    return this.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await tx.query(`SET LOCAL statement_timeout = ${Math.floor(limits.statementTimeoutMs)}`);
      await tx.query(`SET LOCAL work_mem = '${Math.floor(limits.workMemMb)}MB'`);
      return work(async <R>(text: string, params: unknown[] = []) => (await tx.query(text, params)).rows as R[], tx);
    }, source);
  }

  /**
   * Runs long work once across instances on one dedicated connection that holds a session advisory lock and
   * does the work itself (in as many short transactions as it likes): no connection sits idle in a transaction,
   * and if the connection dies the lock and the work end together.
   */
  async withSessionLock<T>(
    name: string,
    work: (client: PoolClient) => Promise<T>,
  ): Promise<{ acquired: true; result: T } | { acquired: false }> {
    const client = await (await this.pool()).connect();
    let broken: Error | undefined;
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [name],
      );
      if (!rows[0].locked) return { acquired: false };
      try {
        return { acquired: true, result: await work(client) };
      } finally {
        await client
          .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name])
          .catch((error: Error) => (broken = error));
      }
    } catch (error) {
      broken ??= (error as { connectionBroken?: Error }).connectionBroken;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** BEGIN … COMMIT on a client the caller holds; ROLLBACK when `work` throws. */
export async function inTransaction<T>(client: PoolClient, work: (client: PoolClient) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back must not go back to the pool.
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      if (error && typeof error === 'object') Object.assign(error, { connectionBroken: rollbackError });
    });
    throw error;
  }
}
