import type { EventRow } from '../../src/modules/learning/event-row';

interface RepositoryPaths {
  insertFromArrays(rows: EventRow[]): Promise<unknown>;
  insertByStagedCopy(rows: EventRow[]): Promise<unknown>;
  insertByDirectCopy(rows: EventRow[]): Promise<unknown>;
}

/**
 * The repository's write paths, forced for any number of rows (the service picks one by size and falls back from
 * the direct COPY to the staged one), so the parts benchmark can time them on identical rows. They are private to
 * the repository; only this benchmark reaches in.
 */
export function insertPaths(repository: unknown): RepositoryPaths {
  const paths = repository as RepositoryPaths;
  return {
    insertFromArrays: (rows) => paths.insertFromArrays(rows),
    insertByStagedCopy: (rows) => paths.insertByStagedCopy(rows),
    insertByDirectCopy: (rows) => paths.insertByDirectCopy(rows),
  };
}
