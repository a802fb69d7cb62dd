import { defineEntity, p } from '@mikro-orm/core';
import type { RunStatus } from '../../../common/runs/run-status';

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
const MiningRunSchema = defineEntity({
  name: 'MiningRun',
  tableName: 'mining_runs',
  properties: {
    id: p.uuid().primary(),
    trigger: p.string().length(16).$type<RunTrigger>(),
    requestedBy: p.string().length(128).nullable(),
    windowFrom: p.datetime(),
    windowTo: p.datetime(),
    minUserSupport: p.integer(),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
    durationMs: p.integer().nullable(),
    status: p.string().length(16).$type<RunStatus>(),
    miners: p.json<MinerReport[]>().nullable(),
    error: p.string().length(1024).nullable(),
  },
  indexes: [{ properties: ['startedAt'] }, { properties: ['status'] }],
  checks: [
    { name: 'mining_runs_trigger_check', expression: `"trigger" in ('schedule', 'manual')` },
    { name: 'mining_runs_status_check', expression: `"status" in ('running', 'succeeded', 'partial', 'failed')` },
  ],
});

export class MiningRun extends MiningRunSchema.class {}
MiningRunSchema.setClass(MiningRun);
