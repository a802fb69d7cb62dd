import { Client } from 'pg';

/** Where the e2e setup keeps what every suite needs to create its own database. */
export const ADMIN_URL_ENV = 'E2E_ADMIN_DATABASE_URL';
export const TEMPLATE_ENV = 'E2E_TEMPLATE_DATABASE';
/** The test server's major version (set by the global setup; tests that need matching client tools read it). */
export const SERVER_MAJOR_ENV = 'E2E_SERVER_MAJOR';

/** Refuses any server/database that does not say it is for tests, so a stray URL cannot wipe real data. */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.slice(1);
  if (!/test/i.test(name))
    throw new Error(`Refusing to run e2e tests against database "${name}": its name must contain "test"`);
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(sql: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: process.env[ADMIN_URL_ENV] });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** A fresh database for one suite, copied from the migrated template (`CREATE DATABASE … TEMPLATE …`). */
export async function createSuiteDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const adminUrl = process.env[ADMIN_URL_ENV];
  const template = process.env[TEMPLATE_ENV];
  if (!adminUrl || !template) throw new Error('e2e global setup did not run');
  const name = `test_suite_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return {
    url: withDatabase(adminUrl, name),
    name,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
