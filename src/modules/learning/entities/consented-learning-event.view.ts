import { defineEntity, p } from '@mikro-orm/core';

/**
 * The events miners and generators may read: those of users who consent now (`consenting_users`), received after
 * the user's last withdrawal. The learning module's public view, with every column of `global_learning_events` (a
 * column added there is added here by the same migration).
 */
export const ConsentedLearningEvent = defineEntity({
  name: 'ConsentedLearningEvent',
  tableName: 'consented_learning_events',
  view: true,
  expression: `select e."id", e."user_id", e."event_type", e."module", e."action", e."session_id", e."client_event_id", e."timestamp", e."received_at", e."labels", e."rating", e."sentiment", e."outcome", e."signature", e."payload", e."key_id" from "global_learning_events" e join "consenting_users" c on c."user_id" = e."user_id"
 where c."mining_excluded_before" is null or e."received_at" > c."mining_excluded_before"`,
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
  },
});
