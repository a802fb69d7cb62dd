import { applyDecorators } from '@nestjs/common';
import { MaxDate, MinDate } from 'class-validator';

/** The instants a query may name: PostgreSQL's timestamptz holds far more, but nothing here is older or later. */
export const STORABLE_FROM = new Date('1970-01-01T00:00:00.000Z');
export const STORABLE_TO = new Date('9999-12-31T23:59:59.999Z');

/** A date-time query field must lie in 1970..9999 (400 naming the field), so the database never sees one it refuses. */
export function StorableDate(field: string): PropertyDecorator {
  const message = `${field} must be between 1970-01-01 and 9999-12-31`;
  return applyDecorators(MinDate(STORABLE_FROM, { message }), MaxDate(STORABLE_TO, { message }));
}
