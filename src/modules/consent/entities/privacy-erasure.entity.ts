import { defineEntity, p } from '@mikro-orm/core';
import { actorColumn, subjectColumn, uuidPrimaryKey } from '../../../database/entity-columns';

/**
 * The receipt of one erasure. It never names the user in clear: `subject` is the user's keyed pseudonym, and
 * `requestedBy` is `self` when the user erased themselves.
 */
export const PrivacyErasure = defineEntity({
  name: 'PrivacyErasure',
  tableName: 'privacy_erasures',
  properties: {
    id: uuidPrimaryKey(),
    subject: subjectColumn(),
    requestedBy: actorColumn(),
    source: p.string().length(16),
    erasedAt: p.datetime(),
    counts: p.json<Record<string, number>>(),
  },
  indexes: [{ properties: ['subject'] }],
});
