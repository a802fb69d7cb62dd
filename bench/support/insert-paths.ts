import type { EventRow } from '../../src/modules/learning/learning-events.repository';

interface RepositoryPaths {
  insertFromArrays(rows: EventRow[]): Promise<unknown>;
  insertByCopy(rows: EventRow[]): Promise<unknown>;
}

/**
 * The repository's two write paths, forced for any number of rows (the service picks one by size), so the parts
 * benchmark can time both on identical rows. They are private to the repository; only this benchmark reaches in.
 */
export function insertPaths(repository: unknown): RepositoryPaths {
  const paths = repository as RepositoryPaths;
  return { insertFromArrays: (rows) => paths.insertFromArrays(rows), insertByCopy: (rows) => paths.insertByCopy(rows) };
}
