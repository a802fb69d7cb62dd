import { DomainError } from '../../common/errors/domain.error';

export class MetricsTokenRequiredError extends DomainError {
  constructor() {
    super('METRICS.TOKEN_REQUIRED', 'unauthenticated', 'GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`');
  }
}
