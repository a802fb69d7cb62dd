import type { ValidationError } from '@nestjs/common';
import { RequestValidationError, type FieldError } from '../errors/domain.error';
import { MemoizingValidationPipe } from './memoizing-validation.pipe';

/** Flattens class-validator's tree into `{ field: 'context.module', message }` entries, one per failed rule. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.includes('should not exist') ? `${field} is not a known field` : message,
    }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * The one global pipe: whitelist, refuse unknown fields, transform to DTO classes, problem+json on failure;
 * valid queries of `@PureQueryValidation()` DTOs are remembered.
 */
export function createValidationPipe(): MemoizingValidationPipe {
  return new MemoizingValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(toFieldErrors(errors)),
  });
}
