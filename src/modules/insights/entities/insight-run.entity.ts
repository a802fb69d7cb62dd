import { defineEntity, p } from '@mikro-orm/core';
import type { RunStatus } from '../../../common/runs/run-status';

export const INSIGHT_RUN_TRIGGERS = ['mining', 'manual'] as const;
export type InsightRunTrigger = (typeof INSIGHT_RUN_TRIGGERS)[number];

/** What one generator did in a run. */
export interface GeneratorReport {
  generator: string;
  insightType: string;
  published: number;
  withdrawn: number;
  durationMs: number;
  error?: string;
}

/** One insight generation: who or what started it, its period, how long it took, what each generator did. */
const InsightRunSchema = defineEntity({
  name: 'InsightRun',
  tableName: 'insight_runs',
  properties: {
    id: p.uuid().primary(),
    trigger: p.string().length(16).$type<InsightRunTrigger>(),
    requestedBy: p.string().length(128).nullable(),
    periodFrom: p.datetime(),
    periodTo: p.datetime(),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    durationMs: p.integer().nullable(),
    status: p.string().length(16).$type<RunStatus>(),
    generators: p.json<GeneratorReport[]>().nullable(),
    error: p.string().length(1024).nullable(),
  },
  indexes: [{ properties: ['startedAt'] }, { properties: ['status'] }],
  checks: [
    { name: 'insight_runs_status_check', expression: `"status" in ('running', 'succeeded', 'partial', 'failed')` },
  ],
});

export class InsightRun extends InsightRunSchema.class {}
InsightRunSchema.setClass(InsightRun);
