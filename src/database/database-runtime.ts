import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { startEmbeddedPostgres, type RunningDatabase } from './embedded-postgres';

export const EMBEDDED_DATABASE_NAME = 'learning';

/**
 * The database this process talks to: `DATABASE_URL` when given, else a real PostgreSQL server started from
 * `DATA_DIR/postgres` (development only; production refuses to boot without `DATABASE_URL`).
 */
export async function resolveDatabase(
  config: AppConfig,
  log: { log(m: string): void; warn(m: string): void; debug(m: string): void },
): Promise<RunningDatabase> {
  if (config.database.url) return { url: config.database.url, embedded: false, stop: async () => undefined };
  const clusterDir = join(config.dataDir, 'postgres');
  const started = Date.now();
  const db = await startEmbeddedPostgres({
    clusterDir,
    database: EMBEDDED_DATABASE_NAME,
    log: (m) => log.debug(m),
    warn: (m) => log.warn(`embedded PostgreSQL: ${m}`),
  });
  log.log(`Embedded PostgreSQL ready in ${Date.now() - started} ms (data in ${clusterDir}, ${new URL(db.url).host})`);
  return db;
}
