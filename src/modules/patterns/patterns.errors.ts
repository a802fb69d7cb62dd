import { DomainError } from '../../common/errors/domain.error';

export class PatternNotFoundError extends DomainError {
  constructor() {
    super('PATTERNS.NOT_FOUND', 'not_found', 'No pattern has this id');
  }
}

/** Another run is in progress (on this or another instance); its id is in `runId` when known. */
export class MiningRunInProgressError extends DomainError {
  constructor(runId: string | null) {
    super('PATTERNS.RUN_IN_PROGRESS', 'conflict', 'A mining run is already in progress; wait for it to finish', {
      extensions: { runId },
    });
  }
}
