import { defineEntity, p } from '@mikro-orm/core';
import { actorColumn, uuidPrimaryKey } from '../../../database/entity-columns';
import { appendOnlyTrigger } from '../../../database/entity-constraints';

/**
 * One row of the append-only security and compliance log. A database trigger refuses UPDATE, and DELETE
 * except where the retention purge opens it for its own transaction. Never holds payloads or secrets.
 */
const AuditEntrySchema = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_log',
  properties: {
    id: uuidPrimaryKey(),
    at: p.datetime().onCreate(() => new Date()),
    actor: actorColumn(),
    actorType: p.string().length(20),
    action: p.string().length(100),
    target: p.string().length(200).nullable(),
    outcome: p.string().length(20),
    ip: p.string().length(64).nullable(),
    requestId: p.string().length(128).nullable(),
    details: p.json<Record<string, unknown>>().nullable(),
  },
  indexes: [
    { properties: ['at', 'id'] },
    { properties: ['action', 'at'] },
    { properties: ['actor', 'at'] },
    { properties: ['target', 'at'] },
  ],
  checks: [{ name: 'audit_log_outcome_check', expression: `"outcome" in ('success','failure','denied')` }],
  triggers: [appendOnlyTrigger('audit_log')],
});

export class AuditEntry extends AuditEntrySchema.class {}
AuditEntrySchema.setClass(AuditEntry);
