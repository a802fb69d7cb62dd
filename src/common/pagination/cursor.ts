import { createHash } from 'node:crypto';

/**
 * Opaque list cursors: base64url JSON of the last row's sort key plus a fingerprint of the query's filters, so a
 * cursor replayed against different filters is refused instead of silently paging the wrong list.
 */
function fingerprint(filters: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(filters)
      .sort()
      .map((k) => [k, filters[k] ?? null]),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeCursor(position: unknown, filters: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ p: position, f: fingerprint(filters) })).toString('base64url');
}

/** The position inside a cursor, or `null` when it is malformed or was made for other filters. */
export function decodeCursor<T>(cursor: string, filters: Record<string, unknown>): T | null {
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: T; f?: string };
    return parsed && parsed.f === fingerprint(filters) && parsed.p !== undefined ? parsed.p : null;
  } catch {
    return null;
  }
}
