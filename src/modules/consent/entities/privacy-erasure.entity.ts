import { defineEntity, p } from '@mikro-orm/core';

/**
 * The receipt of one erasure. It never names the user in clear: `subject` is the user's keyed pseudonym, and
 * `requestedBy` is `self` when the user erased themselves.
 */
export const PrivacyErasure = defineEntity({
  name: 'PrivacyErasure',
  tableName: 'privacy_erasures',
  properties: {
    id: p.uuid().primary(),
    subject: p.string().length(80),
    requestedBy: p.string().length(200),
    source: p.string().length(16),
    erasedAt: p.datetime(),
    counts: p.json<Record<string, number>>(),
  },
  indexes: [{ properties: ['subject'] }],
});
