import { p } from '@mikro-orm/core';
import { uuidv7 } from '../common/ids/uuid-v7';

/**
 * `id`: a uuid primary key, always a uuidv7, so ids order rows by creation (keyset pages and "latest" queries rely
 * on it). Whoever inserts assigns it: the service's SQL, or the ORM when it creates the row.
 */
export const uuidPrimaryKey = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => uuidv7());

/** Who did it: a user id, a client id, `self`, `admin` or `system` (the width of the audit log's actor). */
export const actorColumn = () => p.string().length(200);

/** Whom a kept record is about: the user's id, or once the user is erased their keyed pseudonym (`p:…`). */
export const subjectColumn = () => p.string().length(80);

/** A time set by the database (`now()`) and by the ORM when it creates the row. */
export const createdNowColumn = () =>
  p
    .datetime()
    .defaultRaw('now()')
    .onCreate(() => new Date());

/** `created_at` and `updated_at`, set by the database (now()) and by the ORM when it creates a row. */
export function timestampColumns() {
  return { createdAt: createdNowColumn(), updatedAt: createdNowColumn() };
}
