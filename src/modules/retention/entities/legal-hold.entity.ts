import { defineEntity, p } from '@mikro-orm/core';
import { actorColumn } from '../../../database/entity-columns';

/** A legal hold on a user: retention never purges their data, and erasure requests are refused while it stands. */
export const LegalHold = defineEntity({
  name: 'LegalHold',
  tableName: 'legal_holds',
  properties: {
    userId: p.uuid().primary(),
    reason: p.string().length(500),
    placedBy: actorColumn(),
    placedAt: p.datetime(),
  },
});
