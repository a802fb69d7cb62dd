import { type ArgumentMetadata, SetMetadata, type Type, ValidationPipe } from '@nestjs/common';
import { TtlLruCache } from '../cache/ttl-lru-cache';
import { RequestValidationError } from '../errors/domain.error';

const PURE_QUERY = Symbol('pure-query-validation');
/** Queries up to this many characters (as JSON) are remembered; longer ones are validated every time. */
const MAX_KEY_LENGTH = 512;
/** Remembered queries per DTO class (least recently used out first, see `TtlLruCache`). */
const MAX_ENTRIES = 1000;
/** How long an outcome is remembered: validation is pure, so this only lets unused entries go. */
const REMEMBER_MS = 3_600_000;

/**
 * Marks a query DTO whose validation is a pure function of the query string (no clock, no I/O, no state), so the
 * global pipe may remember the outcome of a valid query and skip class-transformer and class-validator the next
 * time the same query comes (hot read routes ask the same few queries over and over).
 */
export const PureQueryValidation = (): ClassDecorator => SetMetadata(PURE_QUERY, true);

/**
 * DTO bodies nested deeper are refused before class-transformer sees them: it copies unknown nested members
 * recursively, and 120 000 levels (720 KB, under the body limit) overflowed the stack into a 500. Bodies
 * a route takes as `unknown` (learning events, checked by their own validator) are not walked.
 */
export const MAX_BODY_DEPTH = 32;

/** A valid query's DTO fields, and which of them are Dates or arrays (copied for each request). */
interface Remembered {
  fields: Record<string, unknown>;
  mutable: string[];
}

/**
 * The global ValidationPipe, remembering valid queries of DTOs marked `@PureQueryValidation()`: a repeated query
 * gets a fresh shallow copy of the DTO built the first time. Invalid queries are never remembered (they are
 * validated, and refused, every time); bodies and params are always validated.
 */
export class MemoizingValidationPipe extends ValidationPipe {
  private readonly remembered = new Map<Type, TtlLruCache<string, Remembered>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { type, metatype } = metadata;
    if (type === 'body' && this.toValidate(metadata) && nestsDeeperThan(value, MAX_BODY_DEPTH)) {
      throw new RequestValidationError([
        { field: 'body', message: `body must not nest deeper than ${MAX_BODY_DEPTH} levels` },
      ]);
    }
    if (type !== 'query' || !metatype || Reflect.getOwnMetadata(PURE_QUERY, metatype) !== true)
      return super.transform(value, metadata);
    const key = queryKey(value);
    if (key === undefined) return super.transform(value, metadata);
    let byQuery = this.remembered.get(metatype);
    if (!byQuery) this.remembered.set(metatype, (byQuery = new TtlLruCache(MAX_ENTRIES, REMEMBER_MS)));
    const known = byQuery.get(key);
    if (known) return copy(metatype, known);
    const result = (await super.transform(value, metadata)) as Record<string, unknown>;
    const fields = { ...result };
    const remembered = {
      fields,
      mutable: Object.keys(fields).filter((name) => fields[name] instanceof Date || Array.isArray(fields[name])),
    };
    byQuery.set(key, { ...remembered, fields: copy(metatype, remembered) });
    return result;
  }
}

/** A new DTO with the fields (dates and arrays copied too: no handler shares a mutable field with the memo). */
function copy(metatype: Type, { fields, mutable }: Remembered): Record<string, unknown> {
  const dto = Object.assign(Object.create(metatype.prototype as object) as object, fields) as Record<string, unknown>;
  for (const name of mutable) {
    const field = dto[name];
    if (field instanceof Date) dto[name] = new Date(field.getTime());
    else if (Array.isArray(field))
      dto[name] = field.map((item: unknown) => (item instanceof Date ? new Date(item.getTime()) : item));
  }
  return dto;
}

/** A query string's parsed record as a key: only flat records of strings (and string lists), short enough. */
function queryKey(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (const name in record) {
    const v = record[name];
    if (typeof v !== 'string' && !(Array.isArray(v) && v.every((item) => typeof item === 'string'))) return undefined;
  }
  const key = JSON.stringify(value);
  return key.length <= MAX_KEY_LENGTH ? key : undefined;
}

/** Whether `value` holds objects or arrays more than `max` levels deep; iterative, so no depth overflows it. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
