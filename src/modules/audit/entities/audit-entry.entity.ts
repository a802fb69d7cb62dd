import { defineEntity, p } from '@mikro-orm/core';
import { uuidv7 } from '../../../common/ids/uuid-v7';

/**
 * One row of the append-only security and compliance log. A database trigger refuses UPDATE, and DELETE
 * except where the retention purge opens it for its own transaction. Never holds payloads or secrets.
 */
const AuditEntrySchema = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_log',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => uuidv7()),
    at: p.datetime().onCreate(() => new Date()),
    actor: p.string().length(200),
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
  triggers: [
    {
      name: 'audit_log_append_only',
      timing: 'before',
      events: ['update', 'delete'],
      expression: `create trigger "audit_log_append_only" before update or delete on "audit_log" for each row execute function "audit_log_append_only"()`,
    },
  ],
});

export class AuditEntry extends AuditEntrySchema.class {}
AuditEntrySchema.setClass(AuditEntry);
