import { defineEntity, p } from '@mikro-orm/core';
import { runProperties, runTableExtras } from '../../../database/runs/run-entity';

export const RUN_TRIGGERS = ['schedule', 'manual'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** What one miner did in a run. */
export interface MinerReport {
  miner: string;
  patternType: string;
  published: number;
  retired: number;
  durationMs: number;
  error?: string;
  /** Patterns the run's guard refused (under k users, malformed, or holding text PostgreSQL or readers must not get). */
  refused?: number;
  /** Set when the miner's type failed: `retired` counts the patterns last counted before a withdrawal or erasure. */
  retiredUnverified?: true;
}

/** One mining run: its window, who started it, how long it took, what each miner published and retired. */
export const MiningRun = defineEntity({
  name: 'MiningRun',
  tableName: 'mining_runs',
  properties: {
    ...runProperties<RunTrigger>(),
    windowFrom: p.datetime(),
    windowTo: p.datetime(),
    minUserSupport: p.integer(),
    miners: p.json<MinerReport[]>().nullable(),
  },

  indexes: runTableExtras('mining_runs').indexes,
  checks: [
    { name: 'mining_runs_trigger_check', expression: `"trigger" in ('schedule', 'manual')` },
    runTableExtras('mining_runs').statusCheck,
  ],
});
