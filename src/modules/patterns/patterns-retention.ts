import { Injectable } from '@nestjs/common';
import {
  RETENTION_ORDER,
  type RetentionPolicy,
  type RetentionPolicySource,
} from '../../common/retention/retention-policy';
import { AppConfig } from '../../config/app-config';
import { MiningRuns } from './mining-runs';

/** Patterns no run has found for PATTERN_RETENTION_DAYS, and the mining run history. */
@Injectable()
export class PatternsRetention implements RetentionPolicySource {
  constructor(
    private readonly config: AppConfig,
    private readonly runs: MiningRuns,
  ) {}

  retentionPolicies(): RetentionPolicy[] {
    const { retention } = this.config;
    return [
      {
        dataClass: 'patterns',
        table: 'global_patterns',
        retentionDays: retention.patternDays,
        description: 'Patterns no mining run has found for PATTERN_RETENTION_DAYS (last seen before the cutoff).',
        expired: 't.last_seen < $1',
        order: RETENTION_ORDER.derived,
      },
      this.runs.historyRetention(retention.runDays, RETENTION_ORDER.runHistory),
    ];
  }
}
