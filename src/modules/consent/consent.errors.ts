import { DomainError } from '../../common/errors/domain.error';

/** The user has not consented (or withdrew) to collective learning: nothing of theirs may be stored or mined. */
export class ConsentRequiredError extends DomainError {
  constructor() {
    super('CONSENT.REQUIRED', 'forbidden', 'The user has not consented to collective learning');
  }
}

/** The same long per-user request (erasure, export) is already running for this user; answered at once. */
export class PrivacyRequestInProgressError extends DomainError {
  constructor(what: 'erasure' | 'export', runningRequestId?: string) {
    super(
      'PRIVACY.IN_PROGRESS',
      'conflict',
      `An ${what} of this user is already in progress; retry when it has finished`,
      {
        retryable: true,
        retryAfterSeconds: 1,
        extensions: runningRequestId ? { runningRequestId } : undefined,
      },
    );
  }
}

/** More changes of one user's consent are waiting on this instance than it queues; retry shortly. */
export class ConsentChangesQueuedError extends DomainError {
  constructor() {
    super(
      'CONSENT.CHANGE_IN_PROGRESS',
      'conflict',
      'Other changes of this user’s consent are in progress; retry shortly',
      { retryable: true, retryAfterSeconds: 1 },
    );
  }
}
