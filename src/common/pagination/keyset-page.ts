import { InvalidCursorError } from '../errors/domain.error';
import { isUuid } from '../ids/uuid';
import { decodeCursor, encodeCursor } from './cursor';

/** One page of a keyset list and the cursor of the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface KeysetRequest<Row, Position> {
  /** The opaque cursor of the previous page, if any. */
  cursor?: string;
  limit: number;
  /** What the list is filtered by (and its name): a cursor made for other filters is refused. */
  filters: Record<string, unknown>;
  /** Whether a decoded position has the shape this list's positions have. */
  isPosition(value: unknown): value is Position;
  /** Rows after `position` (all from the start when undefined) in list order, at most `limit`. */
  fetch(position: Position | undefined, limit: number): Promise<Row[]>;
  /** A row's position: what the next page starts after. */
  positionOf(row: Row): Position;
}

/**
 * Every keyset list the same way: the cursor decoded and checked against the filters (a malformed or foreign one is
 * a 400 naming `cursor`), one row more than the page fetched to know whether another page follows, and the
 * next cursor made from the last row kept.
 */
export async function keysetPage<Row, Position>(request: KeysetRequest<Row, Position>): Promise<Page<Row>> {
  const position = positionOf(request);
  const rows = await request.fetch(position, request.limit + 1);
  const items = rows.slice(0, request.limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > request.limit && last ? encodeCursor(request.positionOf(last), request.filters) : null;
  return { items, nextCursor };
}

/**
 * The position a cursor holds (undefined without one), or a 400 naming `cursor` when it is malformed, was made for
 * other filters or holds a position of the wrong shape. Lists answered from a cache call it first, so a bad cursor
 * never reaches the cache.
 */
export function positionOf<Position>(
  request: Pick<KeysetRequest<unknown, Position>, 'cursor' | 'filters' | 'isPosition'>,
): Position | undefined {
  if (!request.cursor) return undefined;
  const decoded = decodeCursor<unknown>(request.cursor, request.filters);
  if (!request.isPosition(decoded)) throw new InvalidCursorError();
  return decoded;
}

/** Maps a page's items, keeping its cursor. */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}

/** A position that is one uuid (lists ordered by a uuid v7 id or a user id). */
export const isUuidPosition = (value: unknown): value is string => typeof value === 'string' && isUuid(value);

/**
 * What a list query is filtered by, for `KeysetRequest.filters`: every field the caller set except the page itself
 * (`cursor`, `limit`), instants as ISO text.
 */
export function pageFilters(query: { cursor?: string; limit: number }): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    if (key === 'cursor' || key === 'limit' || value === undefined) continue;
    filters[key] = value instanceof Date ? value.toISOString() : value;
  }
  return filters;
}

/**
 * The keyset request of a list query: its page (`cursor`, `limit`) and its filters (`pageFilters`, or `filters`)
 * taken from `query`, the list's order from `list`.
 */
export function listRequest<Row, Position>(
  query: { cursor?: string; limit: number },
  list: Pick<KeysetRequest<Row, Position>, 'isPosition' | 'fetch' | 'positionOf'>,
  filters: Record<string, unknown> = pageFilters(query),
): KeysetRequest<Row, Position> {
  return { cursor: query.cursor, limit: query.limit, filters, ...list };
}
