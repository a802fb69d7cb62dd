import { ParseUUIDPipe } from '@nestjs/common';
import { RequestValidationError } from '../errors/domain.error';

/** A path parameter that must be a uuid: anything else is a 400 naming it (not Nest's own 400 without a field). */
export function uuidParam(field: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new RequestValidationError([{ field, message: `${field} must be a uuid` }]),
  });
}
