import { defineEntity, p } from '@mikro-orm/core';
import { timestampColumns } from '../../../database/entity-columns';

/** A user's current consent, one row per user who ever answered; no row means no consent. */
export const UserPrivacySettings = defineEntity({
  name: 'UserPrivacySettings',
  tableName: 'user_privacy_settings',
  properties: {
    userId: p.uuid().primary(),
    allowCollectiveLearning: p.boolean(),
    policyVersion: p.string().length(32),
    ...timestampColumns(),
    /** Events received before the last withdrawal are never mined again, even after a new grant. */
    miningExcludedBefore: p.datetime().nullable(),
  },
});
