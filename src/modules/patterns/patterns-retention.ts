import { RETENTION_ORDER, retentionPolicySource } from '../../common/retention/retention-policy';
import { AppConfig } from '../../config/app-config';
import { MiningRuns } from './mining-runs';

/** Patterns no run has found for PATTERN_RETENTION_DAYS, and the mining run history. */
export const PatternsRetention = retentionPolicySource([AppConfig, MiningRuns], ({ retention }, runs) => [
  {
    dataClass: 'patterns',
    table: 'global_patterns',
    retentionDays: retention.patternDays,
    description: 'Patterns no mining run has found for PATTERN_RETENTION_DAYS (last seen before the cutoff).',
    expired: { column: 'last_seen' },
    order: RETENTION_ORDER.derived,
  },
  runs.historyRetention(retention.runDays, RETENTION_ORDER.runHistory),
]);
