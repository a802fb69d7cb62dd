import { p } from '@mikro-orm/core';

/** `created_at` and `updated_at`, set by the database (now()) and by the ORM when it creates a row. */
export function timestampColumns() {
  const now = () =>
    p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date());
  return { createdAt: now(), updatedAt: now() };
}
