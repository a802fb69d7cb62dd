import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';

/**
 * Plain SQL on the ORM's own write pool, for hot paths and bulk work. MikroORM's `execute` expands array
 * parameters into lists; node-postgres binds them as PostgreSQL arrays (`unnest($1::uuid[])`), which bulk
 * statements need.
 */
@Injectable()
export class SqlPool {
  constructor(private readonly em: EntityManager) {}

  private pool(): Promise<Pool> {
    return this.em.getConnection('write').getNativeClient();
  }

  async query<T extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = await (await this.pool()).query<T>(sql, params);
    return result.rows;
  }

  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await (await this.pool()).connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is discarded instead of going back to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
