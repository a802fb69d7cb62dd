import { DomainError } from '../errors/domain.error';

/** The caller's roles do not include one the route (or this use of it) requires: 403 AUTH.FORBIDDEN. */
export class ForbiddenRoleError extends DomainError {
  constructor() {
    super('AUTH.FORBIDDEN', 'forbidden', 'The caller does not have a role this route requires');
  }
}
