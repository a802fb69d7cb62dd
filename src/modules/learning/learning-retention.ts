import { RETENTION_ORDER, retentionPolicySource } from '../../common/retention/retention-policy';
import { AppConfig } from '../../config/app-config';

/** Raw events are kept DATA_RETENTION_DAYS by their event time; a held user's are kept. */
export const LearningRetention = retentionPolicySource([AppConfig], (config) => [
  {
    dataClass: 'learning_events',
    table: 'global_learning_events',
    retentionDays: config.learning.retentionDays,
    description: 'Raw learning events whose event time is older than DATA_RETENTION_DAYS (held users kept).',
    expired: { column: 'timestamp' },
    userColumn: 'user_id',
    order: RETENTION_ORDER.rawData,
    ageGauge: {
      column: 'timestamp',
      metric: 'learning_oldest_event_age_seconds',
      help: 'Age of the oldest stored learning event of a user not under legal hold (alert when it grows past DATA_RETENTION_DAYS: retention stopped working)',
    },
  },
]);
