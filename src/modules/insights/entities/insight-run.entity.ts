import { p } from '@mikro-orm/core';
import { analyticsRead } from '../../../database/runs/analytics-read';
import { defineRunEntity } from '../../../database/runs/run-entity';

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
export const InsightRun = defineRunEntity({
  name: 'InsightRun',
  tableName: 'insight_runs',
  triggers: INSIGHT_RUN_TRIGGERS,
  properties: {
    periodFrom: p.datetime(),
    periodTo: p.datetime(),
    generators: p.json<GeneratorReport[]>().nullable(),
    ...analyticsRead.properties(),
  },
  checks: [analyticsRead.check('insight_runs')],
});
