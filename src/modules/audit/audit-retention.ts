import { Injectable } from '@nestjs/common';
import {
  RETENTION_ORDER,
  type RetentionPolicy,
  type RetentionPolicySource,
} from '../../common/retention/retention-policy';
import { AppConfig } from '../../config/app-config';

/** Audit entries older than AUDIT_RETENTION_DAYS; entries about a held user are kept. */
@Injectable()
export class AuditRetention implements RetentionPolicySource {
  constructor(private readonly config: AppConfig) {}

  retentionPolicies(): RetentionPolicy[] {
    return [
      {
        dataClass: 'audit_log',
        table: 'audit_log',
        retentionDays: this.config.retention.auditDays,
        description: 'Audit entries older than AUDIT_RETENTION_DAYS (entries about held users kept).',
        expired: 't.at < $1',
        userColumn: 'target',
        // The append-only trigger lets a transaction delete only when it set this.
        deleteSetting: 'app.audit_purge',
        order: RETENTION_ORDER.audit,
      },
    ];
  }
}
