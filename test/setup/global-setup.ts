import { MikroORM } from '@mikro-orm/postgresql';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningDatabase } from '../../src/database/embedded-postgres';
import { buildOrmOptions } from '../../src/database/orm-options';
import { Client } from 'pg';
import {
  ADMIN_URL_ENV,
  adminQuery,
  assertTestDatabase,
  SERVER_MAJOR_ENV,
  TEMPLATE_ENV,
  withDatabase,
} from './test-database';

declare global {
  var __E2E_DATABASE__: RunningDatabase | undefined;
}

/**
 * Once per `npm test`: find a PostgreSQL (TEST_DATABASE_URL, else an embedded server in a temp folder), migrate a
 * template database, and let every suite copy it.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'ai-learning-e2e-'));
    chmodSync(dir, 0o755); // as root the server runs as `postgres`, which must reach the folder
    const db = await startEmbeddedPostgres({ clusterDir: join(dir, 'pg'), database: 'test' });
    globalThis.__E2E_DATABASE__ = db;
    adminUrl = db.url;
  }
  assertTestDatabase(adminUrl);
  const template = `test_template_${process.pid}`;
  process.env[ADMIN_URL_ENV] = adminUrl;
  process.env[TEMPLATE_ENV] = template;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    process.env[SERVER_MAJOR_ENV] = String(
      Math.floor(
        Number((await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0].v) /
          10_000,
      ),
    );
  } finally {
    await client.end();
  }
  await adminQuery(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${template}"`);
  const orm = await MikroORM.init(buildOrmOptions({ url: withDatabase(adminUrl, template), poolMax: 2 }));
  try {
    await orm.migrator.up();
  } finally {
    await orm.close(true);
  }
}
