import { Injectable } from '@nestjs/common';
import {
  RETENTION_ORDER,
  type RetentionPolicy,
  type RetentionPolicySource,
} from '../../common/retention/retention-policy';
import { AppConfig } from '../../config/app-config';
import { InsightRuns } from './insight-runs';

/** Expired insights and those last generated INSIGHT_RETENTION_DAYS ago, and the generation history. */
@Injectable()
export class InsightsRetention implements RetentionPolicySource {
  constructor(
    private readonly config: AppConfig,
    private readonly runs: InsightRuns,
  ) {}

  retentionPolicies(): RetentionPolicy[] {
    const { retention } = this.config;
    return [
      {
        dataClass: 'insights',
        table: 'collective_insights',
        retentionDays: retention.insightDays,
        description: 'Insights past their expiry, and any last generated more than INSIGHT_RETENTION_DAYS ago.',
        expired: '(t.expires_at < now() OR t.updated_at < $1)',
        order: RETENTION_ORDER.published,
      },
      this.runs.historyRetention(retention.runDays, RETENTION_ORDER.runHistory + 1),
    ];
  }
}
