import type { SqlPool } from '../../src/database/sql-pool.service';
import type { EventRow } from '../../src/modules/learning/learning-events.repository';

/**
 * The multi-row INSERT alternative, forced for any number of rows (the service uses it only for small sets), so
 * the parts benchmark can compare it with COPY on the same rows.
 */
export function insertFromArrays(repository: unknown, rows: EventRow[]): Promise<unknown> {
  return (repository as { insertFromArrays(rows: EventRow[]): Promise<unknown> }).insertFromArrays(rows);
}

export type { SqlPool };
