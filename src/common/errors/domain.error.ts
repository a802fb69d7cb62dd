/**
 * What kind of failure a domain error is. The problem filter maps kinds to HTTP statuses, so services state
 * what went wrong without knowing about HTTP.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'gone'
  | 'conflict'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable'
  /** A broken invariant the caller cannot fix (e.g. a ciphertext that fails authentication); logged, answered 500. */
  | 'internal';

export interface FieldError {
  field: string;
  message: string;
}

export interface DomainErrorOptions {
  errors?: FieldError[];
  retryAfterSeconds?: number;
  retryable?: boolean;
  /** Extra problem members (RFC 9457 extensions) that clients may read, e.g. failed health checks. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/** Base of every error a service throws on purpose. `code` is stable (`AREA.REASON`) and documented. */
export class DomainError extends Error {
  readonly errors?: FieldError[];
  readonly retryAfterSeconds?: number;
  readonly retryable?: boolean;
  readonly extensions?: Record<string, unknown>;

  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    // A refusal the client caused (4xx) is answered, not debugged: capturing its stack was an eighth of a 403's
    // cost. Errors of ours ('internal', 'unavailable') keep theirs for the log.
    const stackTraceLimit = Error.stackTraceLimit;
    if (kind !== 'internal' && kind !== 'unavailable') Error.stackTraceLimit = 0;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.retryable = options.retryable;
    this.extensions = options.extensions;
  }
}

export class RequestValidationError extends DomainError {
  constructor(errors: FieldError[]) {
    super('VALIDATION.FAILED', 'invalid', `The request is invalid: ${errors.map((e) => e.field).join(', ')}`, {
      errors,
    });
  }
}

export class InvalidCursorError extends DomainError {
  constructor() {
    super('VALIDATION.FAILED', 'invalid', 'The cursor is not valid for this list', {
      errors: [{ field: 'cursor', message: 'cursor is malformed or belongs to another query' }],
    });
  }
}
