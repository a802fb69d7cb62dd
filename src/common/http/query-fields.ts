import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
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
