import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { AppConfig } from '../../config/app-config';
import type { RunOutcome, RunStart } from '../../database/runs/run-book';
import { ClusterScheduler } from '../../database/scheduling/cluster-scheduler';
import { isServerError } from '../../database/server-error';
import { SqlPool } from '../../database/sql-pool.service';
import type { RunStatus } from '../../common/runs/run-status';
import type { RetentionTrigger } from './entities/retention-run.entity';
import type { Contributions } from '../../common/extension/contributions';
import {
  RETENTION_POLICIES,
  RETENTION_ORDER,
  type RetentionPolicySource,
} from '../../common/retention/retention-policy';
import { type DatedPolicy, expiredRows, notHeld, purgeInBatches } from './batched-purge';
import { RetentionMetrics } from './retention.metrics';
import { RetentionRuns } from './retention-runs';
import { RetentionRunInProgressError } from './retention.errors';

import { AuditService } from '../audit/audit.service';

const DAY_MS = 86_400_000;

export type PurgeStart = RunStart<Record<string, number>>;

/**
 * The retention purge: once across all instances (a session advisory lock), every data class's expired rows
 * deleted in short batches with rests between them (`purgeInBatches`); held users' rows stay. A dry run counts what
 * would go and touches nothing. A run that dies midway leaves whole batches done and is marked failed by the next
 * one, which simply carries on (deleting expired rows is idempotent).
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly sql: SqlPool,
    private readonly runs: RetentionRuns,
    private readonly config: AppConfig,
    private readonly metrics: RetentionMetrics,
    private readonly scheduler: ClusterScheduler,
    private readonly audit: AuditService,
    @Inject(RETENTION_POLICIES) private readonly sources: Contributions<RetentionPolicySource>,
  ) {}

  /** RETENTION_CRON: every instance ticks, one claims the tick and purges, the others count it as skipped. */
  onApplicationBootstrap(): void {
    this.metrics.watchAges(
      this.policies().flatMap((policy) =>
        policy.ageGauge
          ? [
              {
                metric: policy.ageGauge.metric,
                help: policy.ageGauge.help,
                query: `SELECT extract(epoch FROM now() - min(t.${policy.ageGauge.column}))::float8 AS age FROM ${policy.table} t WHERE ${notHeld(policy)}`,
              },
            ]
          : [],
      ),
    );
    this.runs.schedule(this.scheduler, 'retention-purge', this.config.retention.cron, () =>
      this.start('schedule', false),
    );
  }

  /** Every contributed data class, in purge order, with the cutoff a purge would use at `now`. */
  policies(now = new Date()): DatedPolicy[] {
    const all = this.sources.all().flatMap((source) => source.retentionPolicies());
    return [...all, this.runs.historyRetention(this.config.retention.runDays, RETENTION_ORDER.runHistory + 2)]
      .sort((a, b) => a.order - b.order)
      .map((policy) => ({
        ...policy,
        cutoff: new Date(now.getTime() - policy.retentionDays * DAY_MS),
      }));
  }

  /** Every data class's policy with the cutoff a purge would use now. */
  policyViews() {
    return this.policies().map((p) => ({
      dataClass: p.dataClass,
      table: p.table,
      retentionDays: p.retentionDays,
      cutoff: p.cutoff.toISOString(),
      description: p.description,
      legalHold: p.userColumn !== undefined,
    }));
  }

  /** An admin's purge (or dry run): started and audited, or 409 with the running run's id. */
  async request(dryRun: boolean, admin: string): Promise<{ runId: string; status: 'running'; dryRun: boolean }> {
    const result = await this.start('manual', dryRun, admin);
    if (!result.started) throw new RetentionRunInProgressError(result.runningId);
    await this.audit.adminDid(admin, 'retention.run_requested', result.runId, { dryRun });
    return { runId: result.runId, status: 'running', dryRun };
  }

  /** Purges and dry runs, newest first. */
  listRuns(limit: number, cursor?: string) {
    return this.runs.views(limit, cursor);
  }

  /** Starts a purge (or a dry run) unless one is running on any instance. */
  start(trigger: RetentionTrigger, dryRun: boolean, requestedBy: string | null = null): Promise<PurgeStart> {
    const policies = this.policies();
    return this.runs.start({
      trigger,
      requestedBy,
      details: {
        dry_run: dryRun,
        cutoffs: Object.fromEntries(policies.map((p) => [p.dataClass, p.cutoff.toISOString()])),
      },
      execute: (client) => this.execute(client, dryRun, policies),
    });
  }

  private async execute(
    client: PoolClient,
    dryRun: boolean,
    policies: DatedPolicy[],
  ): Promise<RunOutcome<Record<string, number>>> {
    const counts: Record<string, number> = {};
    const errors: string[] = [];
    for (const policy of policies) {
      try {
        counts[policy.dataClass] = dryRun ? await this.count(client, policy) : await purgeInBatches(client, policy);
      } catch (error) {
        // A lost connection ends the run (the lock went with it); the next run marks it failed and carries on.
        if (!isServerError(error)) throw error;
        counts[policy.dataClass] = 0;
        errors.push(`${policy.dataClass}: ${(error as Error).message.slice(0, 200)}`);
        this.logger.warn(`Retention of ${policy.dataClass} failed: ${(error as Error).message}`);
      }
    }
    if (!dryRun) this.metrics.purged(counts);
    const status: RunStatus =
      errors.length === 0 ? 'succeeded' : errors.length === policies.length ? 'failed' : 'partial';
    return {
      status,
      report: counts,
      error: errors.length ? errors.join('; ') : undefined,
      metricStatus: dryRun ? 'dry_run' : status,
      summary: `${dryRun ? '(dry run) ' : ''}${Object.entries(counts)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')}`,
    };
  }

  private async count(client: PoolClient, policy: DatedPolicy): Promise<number> {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${policy.table} t WHERE ${expiredRows(policy)}`,
      [policy.cutoff],
    );
    return Number(rows[0].n);
  }
}
