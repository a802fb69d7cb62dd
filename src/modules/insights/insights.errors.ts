import { DomainError } from '../../common/errors/domain.error';

export class InsightNotFoundError extends DomainError {
  constructor() {
    super('INSIGHTS.NOT_FOUND', 'not_found', 'No insight has this id');
  }
}

/** Another generation is in progress (on this or another instance); its id is in `runId` when known. */
export class GenerationInProgressError extends DomainError {
  constructor(runId: string | null) {
    super(
      'INSIGHTS.RUN_IN_PROGRESS',
      'conflict',
      'An insight generation is already in progress; wait for it to finish',
      { extensions: { runId } },
    );
  }
}
