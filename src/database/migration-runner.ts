import type { MikroORM } from '@mikro-orm/postgresql';

export const MIGRATION_LOCK_NAME = 'ai-learning:migrations';

/**
 * Applies pending migrations while holding a session advisory lock on one dedicated connection checked out of
 * the pool, so several instances booting at once migrate one after the other; the lock and its release happen
 * on the same connection.
 */
export async function migrateUnderLock(orm: MikroORM): Promise<string[]> {
  const pool = await orm.em.getConnection().getNativeClient();
  const lockClient = await pool.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [MIGRATION_LOCK_NAME]);
    try {
      const applied = await orm.migrator.up();
      return applied.map((m) => m.name);
    } finally {
      await lockClient.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [MIGRATION_LOCK_NAME]);
    }
  } finally {
    lockClient.release();
  }
}
