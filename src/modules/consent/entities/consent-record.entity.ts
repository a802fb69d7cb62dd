import { defineEntity, p } from '@mikro-orm/core';
import { actorColumn, subjectColumn, uuidPrimaryKey } from '../../../database/entity-columns';
import { appendOnlyTrigger, oneOfCheck } from '../../../database/entity-constraints';

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
  primaryKeys: ['subject', 'id'],
  properties: {
    // The subject first in the key: ready to shard by user (docs/scaling.md).
    subject: subjectColumn().primary(),
    id: uuidPrimaryKey(),
    purpose: p.string().length(64),
    granted: p.boolean(),
    policyVersion: p.string().length(32),
    source: p.string().length(16).$type<ConsentSource>(),
    actor: actorColumn(),
    recordedAt: p.datetime(),
    prevHash: p.string().length(64).nullable(),
    hash: p.string().length(64),
  },
  indexes: [{ properties: ['subject', 'recordedAt'] }],
  checks: [oneOfCheck('consent_records', 'source', CONSENT_SOURCES)],
  triggers: [appendOnlyTrigger('consent_records')],
});
