import { defineEntity, p } from '@mikro-orm/core';
import { createdNowColumn, uuidPrimaryKey } from '../../../database/entity-columns';
import { oneOfCheck } from '../../../database/entity-constraints';
import { OUTCOMES, SENTIMENTS } from '../learning-event.limits';

export const EVENT_TYPES = ['interaction', 'feedback', 'correction', 'pattern_discovery'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * One learning event. `payload` is the AES-256-GCM envelope of the event's `data` under the user's data key,
 * bound to (table, event id, user, field); everything miners need stays in clear columns. The service reads and
 * writes this table with plain SQL (bulk paths); the entity describes the schema for the ORM and migrations.
 */
export const LearningEvent = defineEntity({
  name: 'LearningEvent',
  tableName: 'global_learning_events',
  primaryKeys: ['userId', 'id'],
  properties: {
    // The user first in the key: ready to shard by user (docs/scaling.md).
    userId: p.uuid().primary(),
    id: uuidPrimaryKey(),
    eventType: p.string().length(24).$type<EventType>(),
    module: p.string().length(64),
    action: p.string().length(64),
    sessionId: p.string().length(128).nullable(),
    clientEventId: p.string().length(128).nullable(),
    timestamp: p.datetime(),
    receivedAt: createdNowColumn(),
    labels: p.json<Record<string, string>>().nullable(),
    rating: p.smallint().nullable(),
    sentiment: p.string().length(8).nullable(),
    outcome: p.string().length(16).nullable(),
    signature: p.string().length(64).nullable(),
    payload: p.blob(),
    keyId: p.string().length(32),
  },
  indexes: [
    { properties: ['timestamp'] },
    { properties: ['id'] },
    { properties: ['eventType'] },
    { properties: ['module', 'timestamp'] },
  ],
  uniques: [{ properties: ['userId', 'clientEventId'] }],
  checks: [
    oneOfCheck('global_learning_events', 'event_type', EVENT_TYPES),
    { name: 'global_learning_events_rating_check', expression: `"rating" >= 1 and "rating" <= 5` },
    oneOfCheck('global_learning_events', 'sentiment', SENTIMENTS),
    oneOfCheck('global_learning_events', 'outcome', OUTCOMES),
  ],
});
