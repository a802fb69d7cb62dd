/** A query function of a benchmark's own database client. */
export type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** The first row a query answers, if any. */
export async function firstRow<T>(q: Query, sql: string, params: unknown[]): Promise<T | undefined> {
  return (await q(sql, params)).rows[0] as T | undefined;
}

/** Starts a markdown table of checks on the console: a blank line, the header and its alignment row. */
export function checkTable(header: string, alignment: string): void {
  console.log(`\n${header}\n${alignment}`);
}
