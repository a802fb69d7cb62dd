import { p } from '@mikro-orm/core';
import { analyticsRead } from '../../../database/runs/analytics-read';
import { defineRunEntity } from '../../../database/runs/run-entity';
import { oneOfCheck } from '../../../database/entity-constraints';

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
  /** Patterns published with some figures withheld by the publication gate (they would have shown a small cell). */
  withheld?: number;
  /** Set when the miner's type failed: `retired` counts the patterns last counted before a withdrawal or erasure. */
  retiredUnverified?: true;
}

/** One mining run: its window, who started it, how long it took, what each miner published and retired. */
export const MiningRun = defineRunEntity({
  name: 'MiningRun',
  tableName: 'mining_runs',
  triggers: RUN_TRIGGERS,
  properties: {
    windowFrom: p.datetime(),
    windowTo: p.datetime(),
    minUserSupport: p.integer(),
    miners: p.json<MinerReport[]>().nullable(),
    ...analyticsRead.properties(),
  },
  checks: [oneOfCheck('mining_runs', 'trigger', RUN_TRIGGERS), analyticsRead.check('mining_runs')],
});
