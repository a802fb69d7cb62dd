import { defineEntity, p } from '@mikro-orm/core';

/** One claimed tick of a cluster-scheduled job: the instance whose insert landed runs it (see ClusterScheduler). */
export const ScheduledSlot = defineEntity({
  name: 'ScheduledSlot',
  tableName: 'scheduled_slots',
  properties: {
    job: p.string().length(64).primary(),
    slot: p.datetime().primary(),
    claimedBy: p.string().length(128),
    claimedAt: p.datetime().defaultRaw('now()'),
  },
});
