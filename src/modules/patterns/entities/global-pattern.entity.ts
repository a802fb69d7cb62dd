import { defineEntity, p } from '@mikro-orm/core';
import { timestampColumns, uuidPrimaryKey } from '../../../database/entity-columns';
import { oneOfCheck } from '../../../database/entity-constraints';

export const PATTERN_STATUSES = ['active', 'retired'] as const;
export type PatternStatus = (typeof PATTERN_STATUSES)[number];

/**
 * A pattern found across users: published only while at least MIN_USER_SUPPORT distinct users support it, retired
 * (kept, not listed by default) when a later run finds less. One row per (type, module, signature); every run
 * that finds it again updates it in place. The service reads and writes it with plain SQL.
 */
export const GlobalPattern = defineEntity({
  name: 'GlobalPattern',
  tableName: 'global_patterns',
  properties: {
    id: uuidPrimaryKey(),
    patternType: p.string().length(32),
    module: p.string().length(64),
    signature: p.string().length(512),
    items: p.json<Record<string, unknown>>(),
    /** Distinct users supporting it in the last run's window. */
    support: p.integer(),
    /** Null when the publication gate withheld it (it would have shown a small cell). */
    occurrences: p.bigint().$type<number>().nullable(),
    confidence: p.double().nullable(),
    lift: p.double().nullable(),
    /** Miner-specific figures (e.g. mean rating and Wilson bound). */
    stats: p.json<Record<string, number>>().nullable(),
    firstSeen: p.datetime(),
    lastSeen: p.datetime(),
    ...timestampColumns(),
    runId: p.uuid(),
    status: p.string().length(16).$type<PatternStatus>(),
    retiredAt: p.datetime().nullable(),
  },
  indexes: [
    // The retention purge finds patterns no run has seen for PATTERN_RETENTION_DAYS by this one.
    { name: 'global_patterns_last_seen_index', properties: ['lastSeen'] },
    { properties: ['status', 'support'] },
    { properties: ['status', 'lastSeen'] },
    { properties: ['module', 'patternType'] },
  ],
  uniques: [{ properties: ['patternType', 'module', 'signature'] }],
  checks: [
    oneOfCheck('global_patterns', 'status', PATTERN_STATUSES),
    { name: 'global_patterns_support_check', expression: `"support" >= 0 and "occurrences" >= 0` },
    { name: 'global_patterns_retired_check', expression: `("status" = 'retired') = ("retired_at" is not null)` },
  ],
});
