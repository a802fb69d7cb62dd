import { DomainError } from '../../common/errors/domain.error';

export class UnauthenticatedError extends DomainError {
  constructor(reason = 'A valid bearer token is required') {
    super('AUTH.UNAUTHENTICATED', 'unauthenticated', reason);
  }
}

export class InvalidClientCredentialsError extends DomainError {
  constructor() {
    super('AUTH.INVALID_CLIENT', 'unauthenticated', 'The client id or secret is wrong, or the client is revoked');
  }
}

export class TooManyFailedAttemptsError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      'AUTH.TOO_MANY_ATTEMPTS',
      'rate_limited',
      'Too many failed credential attempts for this client; retry later',
      {
        retryAfterSeconds,
      },
    );
  }
}

/** Shed load: more secret verifications are running and waiting than `AUTH_VERIFY_CONCURRENCY`/`AUTH_VERIFY_QUEUE` allow. */
export class VerificationBusyError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super(
      'AUTH.BUSY',
      'unavailable',
      'Too many credential checks are in progress; retry after the time in Retry-After',
      {
        retryAfterSeconds,
        retryable: true,
      },
    );
  }
}

export class ClientNameTakenError extends DomainError {
  constructor(name: string) {
    super('AUTH.CLIENT_NAME_TAKEN', 'conflict', `An API client named ${name} already exists`);
  }
}

/** No active API client has this id (never created, or already revoked). */
export class ClientNotFoundError extends DomainError {
  constructor() {
    super('AUTH.CLIENT_NOT_FOUND', 'not_found', 'No active API client has this id');
  }
}
