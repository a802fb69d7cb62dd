import { DomainError } from '../../common/errors/domain.error';

/** The user has not consented (or withdrew) to collective learning: nothing of theirs may be stored or mined. */
export class ConsentRequiredError extends DomainError {
  constructor() {
    super('CONSENT.REQUIRED', 'forbidden', 'The user has not consented to collective learning');
  }
}
