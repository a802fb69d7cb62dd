import type { QueryResult } from 'pg';

/** Rows per multi-row statement: the parameters of one statement stay a few MB however many rows are written. */
export const WRITE_CHUNK = 5000;

/** Writes `rows` in statements of at most WRITE_CHUNK rows, one after the other; answers how many rows they wrote. */
export async function writeInChunks<T>(
  rows: readonly T[],
  write: (chunk: readonly T[]) => Promise<QueryResult>,
): Promise<number> {
  let written = 0;
  for (let at = 0; at < rows.length; at += WRITE_CHUNK)
    written += (await write(rows.slice(at, at + WRITE_CHUNK))).rowCount ?? 0;
  return written;
}

/** A figure as a column stores it: NaN and infinities (and a missing value) are null. */
export const finiteOrNull = (value: number | null | undefined): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
