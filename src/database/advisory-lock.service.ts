import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

export type LockedRun<T> = { acquired: true; result: T } | { acquired: false };

/**
 * Runs work at most once at a time across every instance sharing the database. The lock is transaction
 * scoped (`pg_try_advisory_xact_lock`): session locks over a pool can be released on another connection.
 */
@Injectable()
export class AdvisoryLockService {
  constructor(private readonly em: EntityManager) {}

  async runExclusive<T>(name: string, work: (em: EntityManager) => Promise<T>): Promise<LockedRun<T>> {
    return this.em.fork().transactional(async (em) => {
      const [row] = await em.execute<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0)) AS locked',
        [name],
      );
      if (!row.locked) return { acquired: false } as const;
      return { acquired: true, result: await work(em) } as const;
    });
  }
}
