import { RETENTION_ORDER, retentionPolicySource } from '../../common/retention/retention-policy';
import { AppConfig } from '../../config/app-config';

/** Audit entries older than AUDIT_RETENTION_DAYS; entries about a held user are kept. */
export const AuditRetention = retentionPolicySource([AppConfig], (config) => [
  {
    dataClass: 'audit_log',
    table: 'audit_log',
    retentionDays: config.retention.auditDays,
    description: 'Audit entries older than AUDIT_RETENTION_DAYS (entries about held users kept).',
    expired: { column: 'at' },
    userColumn: 'target',
    // The append-only trigger lets a transaction delete only when it set this.
    deleteSetting: 'app.audit_purge',
    order: RETENTION_ORDER.audit,
  },
]);
