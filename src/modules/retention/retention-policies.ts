import type { AppConfig } from '../../config/app-config';

/**
 * One data class's retention: which rows of which table are past their time. `expired` is an SQL condition on
 * the table (aliased `t`) with `$1` = the cutoff; `userColumn`, when set, names the column a legal hold matches
 * (held users' rows are never purged).
 */
export interface RetentionPolicy {
  dataClass: string;
  table: string;
  retentionDays: number;
  description: string;
  expired: string;
  userColumn?: string;
  /** A setting the table's guard trigger requires for deletes (set for each batch's own transaction). */
  deleteSetting?: string;
}

/** The latest finished run of a run table stays (readers' caches are keyed by it), as does a running one. */
const runHistory = (table: string): string =>
  `t.started_at < $1 AND t.status <> 'running' AND t.id IS DISTINCT FROM (SELECT id FROM ${table} WHERE status <> 'running' ORDER BY started_at DESC, id DESC LIMIT 1)`;

/** Every data class the purge covers, with its configured period. */
export function retentionPolicies(config: AppConfig): RetentionPolicy[] {
  const { retention } = config;
  return [
    {
      dataClass: 'learning_events',
      table: 'global_learning_events',
      retentionDays: config.learning.retentionDays,
      description: 'Raw learning events whose event time is older than DATA_RETENTION_DAYS (held users kept).',
      expired: 't.timestamp < $1',
      userColumn: 'user_id',
    },
    {
      dataClass: 'patterns',
      table: 'global_patterns',
      retentionDays: retention.patternDays,
      description: 'Patterns no mining run has found for PATTERN_RETENTION_DAYS (last seen before the cutoff).',
      expired: 't.last_seen < $1',
    },
    {
      dataClass: 'insights',
      table: 'collective_insights',
      retentionDays: retention.insightDays,
      description: 'Insights past their expiry, and any last generated more than INSIGHT_RETENTION_DAYS ago.',
      expired: '(t.expires_at < now() OR t.updated_at < $1)',
    },
    {
      dataClass: 'audit_log',
      table: 'audit_log',
      retentionDays: retention.auditDays,
      description: 'Audit entries older than AUDIT_RETENTION_DAYS (entries about held users kept).',
      expired: 't.at < $1',
      userColumn: 'target',
      deleteSetting: 'app.audit_purge',
    },
    ...(['mining_runs', 'insight_runs', 'retention_runs'] as const).map((table) => ({
      dataClass: table,
      table,
      retentionDays: retention.runDays,
      description: `Run history older than RUN_RETENTION_DAYS (the latest finished run is kept).`,
      expired: runHistory(table),
    })),
  ];
}
