import { DomainError } from '../../common/errors/domain.error';

export class RetentionRunInProgressError extends DomainError {
  constructor(runId: string | null) {
    super('RETENTION.RUN_IN_PROGRESS', 'conflict', 'A retention run is already in progress; wait for it to finish', {
      extensions: { runId },
    });
  }
}

export class LegalHoldNotFoundError extends DomainError {
  constructor() {
    super('RETENTION.HOLD_NOT_FOUND', 'not_found', 'This user has no legal hold');
  }
}

/** An erasure of a user under legal hold: refused (and audited) until the hold is lifted. */
export class LegalHoldError extends DomainError {
  constructor() {
    super(
      'RETENTION.LEGAL_HOLD',
      'conflict',
      'The user is under legal hold: their data cannot be erased until the hold is lifted',
    );
  }
}
