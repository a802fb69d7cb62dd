import { defineEntity, p } from '@mikro-orm/core';

/** A user's current consent, one row per user who ever answered; no row means no consent. */
export const UserPrivacySettings = defineEntity({
  name: 'UserPrivacySettings',
  tableName: 'user_privacy_settings',
  properties: {
    userId: p.uuid().primary(),
    allowCollectiveLearning: p.boolean(),
    policyVersion: p.string().length(32),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    /** Events received before the last withdrawal are never mined again, even after a new grant. */
    miningExcludedBefore: p.datetime().nullable(),
  },
});
