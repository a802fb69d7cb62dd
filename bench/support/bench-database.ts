import { MikroORM } from '@mikro-orm/postgresql';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { buildOrmOptions } from '../../src/database/orm-options';

export interface BenchDatabase {
  url: string;
  orm: MikroORM;
  close(): Promise<void>;
}

const withDatabase = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A throwaway, migrated database for a benchmark: on the server in `BENCH_DATABASE_URL` when set (a new
 * `bench_<name>_<pid>` database, dropped afterwards unless BENCH_KEEP_DATABASE is set, for inspecting plans), else
 * on an embedded PostgreSQL in a temp folder.
 */
export async function openBenchDatabase(name: string, poolMax = 10): Promise<BenchDatabase> {
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stopServer = async () => undefined;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({ clusterDir: join(dir, 'pg'), database: 'postgres' });
    serverUrl = pg.url;
    stopServer = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const database = `bench_${name}_${process.pid}`;
  await admin(serverUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin(serverUrl, `CREATE DATABASE "${database}"`);
  const url = withDatabase(serverUrl, database);
  const orm = await MikroORM.init(buildOrmOptions({ url, poolMax }));
  await orm.migrator.up();
  return {
    url,
    orm,
    close: async () => {
      await orm.close(true);
      if (process.env.BENCH_KEEP_DATABASE && process.env.BENCH_DATABASE_URL) {
        console.log(`kept the database for inspection: ${url}`);
        return;
      }
      await admin(serverUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await stopServer();
    },
  };
}

/** Runs a benchmark's `main`, printing a failure and exiting non-zero when it throws. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
