import { defineEntity, p } from '@mikro-orm/core';

/** The users who allow collective learning now — the consent module's view for the modules that mine and count. */
export const ConsentingUser = defineEntity({
  name: 'ConsentingUser',
  tableName: 'consenting_users',
  view: true,
  expression: `select "user_id", "mining_excluded_before" from "user_privacy_settings" where "allow_collective_learning"`,
  properties: {
    userId: p.uuid().primary(),
    /** What a withdrawal kept (action `exclude`) before this time is never mined again. */
    miningExcludedBefore: p.datetime().nullable(),
  },
});
