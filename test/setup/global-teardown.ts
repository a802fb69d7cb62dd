import { adminQuery, TEMPLATE_ENV } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (template) await adminQuery(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).catch(() => undefined);
  await globalThis.__E2E_DATABASE__?.stop();
}
