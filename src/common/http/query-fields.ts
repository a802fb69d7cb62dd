import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SafeText } from '../text/safe-text';
import { StorableDate } from './date-bounds';

/** The opaque cursor of a keyset list: optional, at most 512 characters of safe text. */
export const CursorField = () =>
  applyDecorators(
    ApiPropertyOptional({ description: 'Opaque cursor from the previous page', maxLength: 512 }),
    IsOptional(),
    IsString(),
    MaxLength(512),
    SafeText(),
  );

/** A page size from 1 to `max` (give the property its default value too). */
export const LimitField = (max: number, byDefault: number) =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: max, default: byDefault }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message: 'limit must be an integer' }),
    Min(1),
    Max(max),
  );

/** An optional ISO-8601 instant PostgreSQL can store, named `field` in errors. */
export const InstantField = (field: string, description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, format: 'date-time', description }),
    IsOptional(),
    Type(() => Date),
    IsDate({ message: `${field} must be an ISO-8601 date-time` }),
    StorableDate(field),
  );

/** A module or action name, as events carry them. */
export const MODULE_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** A pattern or insight type: what a miner or generator publishes. */
export const TYPE_NAME = /^[a-z][a-z0-9_]{0,31}$/;

/** An optional string matching `pattern`, named `field` in errors. */
export const NameField = (field: string, pattern: RegExp, description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ pattern: pattern.source, description }),
    IsOptional(),
    IsString(),
    Matches(pattern, { message: `${field} must match ${pattern.source}` }),
  );

/** An optional value among `values`, named `field` in errors (give the property its default value, if any, too). */
export const OneOfField = (
  field: string,
  values: readonly string[],
  options: { default?: string; description?: string } = {},
) =>
  applyDecorators(
    ApiPropertyOptional({ enum: values, ...options }),
    IsOptional(),
    IsIn(values, { message: `${field} must be one of ${values.join(', ')}` }),
  );
