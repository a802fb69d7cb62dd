import { p } from '@mikro-orm/core';
import { defineRunEntity } from '../../../database/runs/run-entity';

export const RETENTION_TRIGGERS = ['schedule', 'manual'] as const;
export type RetentionTrigger = (typeof RETENTION_TRIGGERS)[number];

/** One purge (or dry run): the cutoff and the rows removed (or that would be) per data class. */
export const RetentionRun = defineRunEntity({
  name: 'RetentionRun',
  tableName: 'retention_runs',
  triggers: RETENTION_TRIGGERS,
  properties: {
    dryRun: p.boolean(),
    cutoffs: p.json<Record<string, string>>(),
    counts: p.json<Record<string, number>>().nullable(),
  },
});
