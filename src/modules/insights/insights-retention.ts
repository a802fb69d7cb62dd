import { RETENTION_ORDER, retentionPolicySource } from '../../common/retention/retention-policy';
import { AppConfig } from '../../config/app-config';
import { InsightRuns } from './insight-runs';

/** Expired insights and those last generated INSIGHT_RETENTION_DAYS ago, and the generation history. */
export const InsightsRetention = retentionPolicySource([AppConfig, InsightRuns], ({ retention }, runs) => [
  {
    dataClass: 'insights',
    table: 'collective_insights',
    retentionDays: retention.insightDays,
    description: 'Insights past their expiry, and any last generated more than INSIGHT_RETENTION_DAYS ago.',
    expired: '(t.expires_at < now() OR t.updated_at < $1)',
    order: RETENTION_ORDER.published,
  },
  runs.historyRetention(retention.runDays, RETENTION_ORDER.runHistory + 1),
]);
