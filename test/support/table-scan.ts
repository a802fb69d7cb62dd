import type { Client } from 'pg';

export interface Finding {
  table: string;
  column: string;
  rows: number;
}

/**
 * Searches every column of every table of the public schema for `needles` (case-insensitive, as text; bytea as
 * its raw bytes), so a test can prove nothing names a user or holds their plaintext. Returns where they were found.
 */
export async function scanAllTables(pg: Client, needles: string[]): Promise<Finding[]> {
  const { rows: columns } = await pg.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'`,
  );
  const findings: Finding[] = [];
  for (const { table_name: table, column_name: column, data_type: type } of columns) {
    for (const needle of needles) {
      const probe =
        type === 'bytea'
          ? `SELECT count(*)::int AS n FROM "${table}" WHERE position(convert_to($1, 'UTF8') IN "${column}") > 0`
          : `SELECT count(*)::int AS n FROM "${table}" WHERE "${column}"::text ILIKE '%' || $1 || '%'`;
      const { rows } = await pg.query<{ n: number }>(probe, [needle]);
      if (rows[0].n > 0) findings.push({ table, column, rows: rows[0].n });
    }
  }
  return findings;
}

/** Every table of the public schema (so a test can assert the scan saw the tables it must). */
export async function publicTables(pg: Client): Promise<string[]> {
  const { rows } = await pg.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}
