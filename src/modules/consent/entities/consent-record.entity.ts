import { defineEntity, p } from '@mikro-orm/core';

export const CONSENT_SOURCES = ['user', 'service', 'admin'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/**
 * One change of consent, append-only (a trigger refuses UPDATE and DELETE outside the erasure path). `hash`
 * chains each record to the subject's previous one; it is computed over the subject's pseudonym, so erasure can
 * replace `subject` by that pseudonym without breaking the chain. `actor` is `self` when the subject acted.
 */
export const ConsentRecord = defineEntity({
  name: 'ConsentRecord',
  tableName: 'consent_records',
  properties: {
    id: p.uuid().primary(),
    subject: p.string().length(80),
    purpose: p.string().length(64),
    granted: p.boolean(),
    policyVersion: p.string().length(32),
    source: p.string().length(16).$type<ConsentSource>(),
    actor: p.string().length(200),
    recordedAt: p.datetime(),
    prevHash: p.string().length(64).nullable(),
    hash: p.string().length(64),
  },
  indexes: [{ properties: ['subject', 'recordedAt'] }],
  checks: [{ name: 'consent_records_source_check', expression: `"source" in ('user', 'service', 'admin')` }],
  triggers: [
    {
      name: 'consent_records_append_only',
      timing: 'before',
      events: ['update', 'delete'],
      expression: `create trigger "consent_records_append_only" before update or delete on "consent_records" for each row execute function "consent_records_append_only"()`,
    },
  ],
});
