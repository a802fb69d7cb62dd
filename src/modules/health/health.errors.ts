import { DomainError } from '../../common/errors/domain.error';

export class NotReadyError extends DomainError {
  constructor(failed: string[], checks: Record<string, unknown>) {
    super('HEALTH.NOT_READY', 'unavailable', `Not ready: ${failed.join(', ')} down`, {
      retryable: true,
      extensions: { checks },
    });
  }
}

export class UnhealthyError extends DomainError {
  constructor(health: Record<string, unknown>) {
    super('HEALTH.UNHEALTHY', 'unavailable', 'The service is unhealthy', { retryable: true, extensions: { health } });
  }
}
