import { defineEntity, p } from '@mikro-orm/core';
import type { RunStatus } from '../../../common/runs/run-status';

export const RETENTION_TRIGGERS = ['schedule', 'manual'] as const;
export type RetentionTrigger = (typeof RETENTION_TRIGGERS)[number];

/** One purge (or dry run): the cutoff and the rows removed (or that would be) per data class. */
const RetentionRunSchema = defineEntity({
  name: 'RetentionRun',
  tableName: 'retention_runs',
  properties: {
    id: p.uuid().primary(),
    trigger: p.string().length(16).$type<RetentionTrigger>(),
    requestedBy: p.string().length(128).nullable(),
    dryRun: p.boolean(),
    cutoffs: p.json<Record<string, string>>(),
    counts: p.json<Record<string, number>>().nullable(),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    durationMs: p.integer().nullable(),
    status: p.string().length(16).$type<RunStatus>(),
    error: p.string().length(1024).nullable(),
  },
  indexes: [{ properties: ['startedAt'] }, { properties: ['status'] }],
  checks: [
    { name: 'retention_runs_status_check', expression: `"status" in ('running', 'succeeded', 'partial', 'failed')` },
  ],
});

export class RetentionRun extends RetentionRunSchema.class {}
RetentionRunSchema.setClass(RetentionRun);
