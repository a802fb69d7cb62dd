import { type ArgumentMetadata, SetMetadata, type Type, ValidationPipe } from '@nestjs/common';

const PURE_QUERY = Symbol('pure-query-validation');
/** Queries up to this many characters (as JSON) are remembered; longer ones are validated every time. */
const MAX_KEY_LENGTH = 512;
/** Remembered queries per DTO class (least recently used out first). */
const MAX_ENTRIES = 1000;

/**
 * Marks a query DTO whose validation is a pure function of the query string (no clock, no I/O, no state), so the
 * global pipe may remember the outcome of a valid query and skip class-transformer and class-validator the next
 * time the same query comes (hot read routes ask the same few queries over and over).
 */
export const PureQueryValidation = (): ClassDecorator => SetMetadata(PURE_QUERY, true);

/**
 * The global ValidationPipe, remembering valid queries of DTOs marked `@PureQueryValidation()`: a repeated query
 * gets a fresh shallow copy of the DTO built the first time. Invalid queries are never remembered (they are
 * validated, and refused, every time); bodies and params are always validated.
 */
export class MemoizingValidationPipe extends ValidationPipe {
  private readonly remembered = new Map<Type, Map<string, object>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { type, metatype } = metadata;
    if (type !== 'query' || !metatype || Reflect.getOwnMetadata(PURE_QUERY, metatype) !== true) return super.transform(value, metadata);
    const key = queryKey(value);
    if (key === undefined) return super.transform(value, metadata);
    let byQuery = this.remembered.get(metatype);
    if (!byQuery) this.remembered.set(metatype, (byQuery = new Map()));
    const known = byQuery.get(key);
    if (known) {
      byQuery.delete(key);
      byQuery.set(key, known);
      return copy(metatype, known);
    }
    const result = (await super.transform(value, metadata)) as object;
    if (byQuery.size >= MAX_ENTRIES) byQuery.delete(byQuery.keys().next().value as string);
    byQuery.set(key, copy(metatype, result));
    return result;
  }
}

/** A new DTO with the fields (dates and arrays copied too: no handler shares a mutable field with the memo). */
function copy(metatype: Type, fields: object): object {
  const dto = Object.assign(Object.create(metatype.prototype as object) as object, fields) as Record<string, unknown>;
  for (const [name, field] of Object.entries(dto)) {
    if (field instanceof Date) dto[name] = new Date(field.getTime());
    else if (Array.isArray(field)) dto[name] = field.map((item: unknown) => (item instanceof Date ? new Date(item.getTime()) : item));
  }
  return dto;
}

/** A query string's parsed record as a key: only flat records of strings (and string lists), short enough. */
function queryKey(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const v of Object.values(value)) {
    if (typeof v !== 'string' && !(Array.isArray(v) && v.every((item) => typeof item === 'string'))) return undefined;
  }
  const key = JSON.stringify(value);
  return key.length <= MAX_KEY_LENGTH ? key : undefined;
}
