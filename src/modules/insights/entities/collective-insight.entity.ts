import { defineEntity, p } from '@mikro-orm/core';
import { timestampColumns, uuidPrimaryKey } from '../../../database/entity-columns';
import { oneOfCheck } from '../../../database/entity-constraints';

export const INSIGHT_STATUSES = ['active', 'withdrawn'] as const;
export type InsightStatus = (typeof INSIGHT_STATUSES)[number];

/** What backs an insight: the patterns it was drawn from and the aggregate figures it compares. */
export interface InsightEvidence {
  patternIds: string[];
  aggregate: Record<string, number>;
}

/**
 * A collective insight: one row per (type, module, key), updated in place when a generation finds it again,
 * withdrawn (kept, not listed) when a generation no longer does. Every count it publishes is backed by at least
 * MIN_USER_SUPPORT distinct users. The service reads and writes it with plain SQL.
 */
export const CollectiveInsight = defineEntity({
  name: 'CollectiveInsight',
  tableName: 'collective_insights',
  properties: {
    id: uuidPrimaryKey(),
    insightType: p.string().length(32),
    module: p.string().length(64),
    /** Identity within type and module, e.g. the metric of a trend. */
    key: p.string().length(256),
    title: p.string().length(512),
    metric: p.string().length(64),
    value: p.double(),
    baseline: p.double().nullable(),
    change: p.double().nullable(),
    /** How sure: 1 − p-value of the generator's test (1 for descriptive insights), 0..1. */
    significance: p.double(),
    /** Distinct users behind its smallest published count. */
    support: p.integer(),
    periodFrom: p.datetime(),
    periodTo: p.datetime(),
    evidence: p.json<InsightEvidence>(),
    /** Generator-specific figures (counts, test statistics). */
    stats: p.json<Record<string, number>>().nullable(),
    /** True when INSIGHTS_DP_EPSILON noise is in its counts. */
    noised: p.boolean(),
    runId: p.uuid(),
    status: p.string().length(16).$type<InsightStatus>(),
    ...timestampColumns(),
    expiresAt: p.datetime(),
    withdrawnAt: p.datetime().nullable(),
  },
  indexes: [
    { properties: ['status', 'significance'] },
    { properties: ['module', 'insightType'] },
    { properties: ['expiresAt'] },
  ],
  uniques: [{ properties: ['insightType', 'module', 'key'] }],
  checks: [
    oneOfCheck('collective_insights', 'status', INSIGHT_STATUSES),
    {
      name: 'collective_insights_withdrawn_check',
      expression: `("status" = 'withdrawn') = ("withdrawn_at" is not null)`,
    },
    {
      name: 'collective_insights_significance_check',
      expression: `"significance"::numeric >= 0 and "significance"::numeric <= 1 and "support" >= 0`,
    },
  ],
});
