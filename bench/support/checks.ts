/** A query function of a benchmark's own database client. */
export type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** The first row a query answers, if any. */
export async function firstRow<T>(q: Query, sql: string, params: unknown[]): Promise<T | undefined> {
  return (await q(sql, params)).rows[0] as T | undefined;
}

/**
 * Prints a markdown table of checks on the console (a blank line, the header, its alignment row, then each check's
 * line) and answers how many failed.
 */
export async function checkTable<C>(
  header: string,
  alignment: string,
  checks: readonly C[],
  check: (c: C) => Promise<{ line: string; ok: boolean }>,
): Promise<number> {
  console.log(`\n${header}\n${alignment}`);
  let failed = 0;
  for (const c of checks) {
    const { line, ok } = await check(c);
    if (!ok) failed++;
    console.log(line);
  }
  return failed;
}
