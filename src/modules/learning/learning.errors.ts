import { DomainError, RequestValidationError, type FieldError } from '../../common/errors/domain.error';

/** A user token named another user (as the event's `userId`, or as the `userId` to list). */
export class ForeignUserError extends DomainError {
  constructor(field = 'userId') {
    super('LEARNING.FOREIGN_USER', 'forbidden', 'A user token may only act on its own events', {
      errors: [{ field, message: `${field} must be the caller’s own id` }],
    });
  }
}

/** No event of the caller (or, for admins, of anyone) has this id. */
export class EventNotFoundError extends DomainError {
  constructor() {
    super('LEARNING.EVENT_NOT_FOUND', 'not_found', 'No event of yours has this id');
  }
}

/** The user's events are being deleted or erased by another request right now (409, retry later). */
export class EventDeletionInProgressError extends DomainError {
  constructor() {
    super('LEARNING.DELETION_IN_PROGRESS', 'conflict', 'A deletion or erasure of this user’s data is in progress', {
      retryable: true,
    });
  }
}

/** The event's time lies more than the allowed skew in the future, or before the retention window. */
export class TimestampOutOfRangeError extends DomainError {
  constructor(message: string) {
    super('LEARNING.TIMESTAMP_OUT_OF_RANGE', 'unprocessable', message, { errors: [{ field: 'timestamp', message }] });
  }
}

/** A field of the event is missing, malformed or out of bounds (400 with every failed field named). */
export function invalidEvent(errors: FieldError[]): RequestValidationError {
  return new RequestValidationError(errors);
}

/** The user's events in this window would exceed `LEARNING_USER_QUOTA_EVENTS` or `LEARNING_USER_QUOTA_BYTES` (429). */
export class EventQuotaExceededError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      'LEARNING.QUOTA_EXCEEDED',
      'rate_limited',
      'This user’s events exceed the per-user quota of this window; retry after the time in Retry-After',
      {
        retryAfterSeconds,
        retryable: true,
      },
    );
  }
}
