import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { PoolClient } from 'pg';
import { errorMessage } from '../../common/errors/error-message';
import { checkPluginNames, type Contributions } from '../../common/extension/contributions';
import { AppConfig } from '../../config/app-config';
import type { RunOutcome, RunStart } from '../../database/runs/run-book';
import { ReplicaRouter, type ReadMark } from '../../database/replica-router';
import { analyticsRead } from '../../database/runs/analytics-read';
import { ClusterScheduler } from '../../database/scheduling/cluster-scheduler';
import { inTransaction, SqlPool } from '../../database/sql-pool.service';
import { AuditService } from '../audit/audit.service';
import { MiningRunInProgressError } from './patterns.errors';
import type { MinerReport, RunTrigger } from './entities/mining-run.entity';
import type { RunStatus } from '../../common/runs/run-status';
import { ConsentLedgerService } from '../consent/consent-ledger.service';
import { MiningRuns } from './mining-runs';
import { KeyedUniform } from '../disclosure/keyed-uniform';
import { PrivacyBudget } from '../disclosure/privacy-budget.service';
import { PATTERN_MINERS, type PatternMiner } from './pattern-miner';
import { minerDp, publish, type PublicationMode } from './publication';
import { PatternsRepository } from './patterns.repository';

/** Emitted after every finished run (caches of pattern reads listen to it). */
export const PATTERNS_MINED = 'patterns.mined';
export interface PatternsMinedEvent {
  runId: string;
  status: RunStatus;
}

/** A miner's statement running longer than this is cancelled (the run then reports the miner as failed). */
const STATEMENT_TIMEOUT_MS = 300_000;

export type StartResult = RunStart<MinerReport[]>;

interface OpenRun {
  id: string;
  from: Date;
  to: Date;
  minUserSupport: number;
  /** The primary's position at `to`: the run reads the replica once it has replayed this far. */
  mark: ReadMark;
}

/**
 * Mining runs: one at a time across all instances (a PostgreSQL session advisory lock held by the run's own
 * connection), every registered miner over the window — MINING_CONCURRENCY of them at once, each in a read-only
 * snapshot on a pooled connection — each miner's patterns upserted in its own short transaction on the run's connection, and the active patterns of a type that no longer reach MIN_USER_SUPPORT retired — but only when
 * every miner of that type succeeded, so a failing miner never retires what it could not recount.
 */
@Injectable()
export class MiningService implements OnApplicationBootstrap {
  private readonly logger = new Logger(MiningService.name);
  constructor(
    @Inject(PATTERN_MINERS) private readonly contributions: Contributions<PatternMiner>,
    private readonly sql: SqlPool,
    private readonly patterns: PatternsRepository,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
    private readonly audit: AuditService,
    private readonly budget: PrivacyBudget,
    private readonly uniform: KeyedUniform,
    private readonly scheduler: ClusterScheduler,
    private readonly runs: MiningRuns,
    private readonly consent: ConsentLedgerService,
    private readonly replica: ReplicaRouter,
  ) {}

  /** Checks the registered miners once the application is built (valid, unique names), and schedules the runs. */
  onApplicationBootstrap(): void {
    checkPluginNames('Pattern miner', this.miners(), (miner) => miner.patternType);
    // PATTERNS_CRON: every instance ticks, one claims the tick and mines, the others count it as skipped.
    this.runs.schedule(this.scheduler, 'patterns-mining', this.config.patterns.cron, () => this.start('schedule'));
  }

  miners(): readonly PatternMiner[] {
    return this.contributions.all();
  }

  /** An admin's request to run now: the started run, audited; 409 (`MiningRunInProgressError`) while one runs on any instance. */
  async request(admin: string): Promise<{ runId: string; status: 'running' }> {
    const result = await this.start('manual', admin);
    if (!result.started) throw new MiningRunInProgressError(result.runningId);
    await this.audit.adminDid(admin, 'patterns.run_requested', result.runId);
    return { runId: result.runId, status: 'running' };
  }

  /**
   * Starts a run unless one is running on any instance. Resolves as soon as the run has its id (the work goes on;
   * `finished` settles when it ends), or with `started: false` and the running run's id.
   */
  async start(trigger: RunTrigger, requestedBy: string | null = null): Promise<StartResult> {
    // The window ends at the primary's clock now; the run reads the replica once it has replayed this far.
    const mark = await this.replica.mark();
    const to = mark.asOf;
    const window = {
      from: new Date(to.getTime() - this.config.patterns.windowDays * 86_400_000),
      to,
      minUserSupport: this.config.patterns.minUserSupport,
      mark,
    };
    return this.runs.start({
      trigger,
      requestedBy,
      details: { window_from: window.from, window_to: window.to, min_user_support: window.minUserSupport },
      execute: (client, id) => this.execute(client, { id, ...window }),
    });
  }

  private async execute(client: PoolClient, run: OpenRun): Promise<RunOutcome<MinerReport[]>> {
    const runId = run.id;
    const mode = this.publicationMode(run);
    const refused = mode.kind === 'dp' ? await this.budget.spendRun('mining', runId) : null;
    if (refused) {
      this.logger.warn(`Mining run ${runId}: ${refused}`);
      this.events.emit(PATTERNS_MINED, { runId, status: 'failed' } satisfies PatternsMinedEvent);
      return { status: 'failed', report: [], error: refused, summary: 'no budget' };
    }
    const miners = this.miners().filter((m) => mode.kind === 'threshold' || m.supportsDp === true);
    const read = await this.replica.sourceFor(run.mark);
    const details = analyticsRead.details(read);
    const failedTypes = new Set<string>();
    const limits = { statementTimeoutMs: STATEMENT_TIMEOUT_MS, workMemMb: this.config.patterns.workMemMb };
    // Upserts share the run's connection: one transaction at a time.
    let writes: Promise<unknown> = Promise.resolve();
    const serialized = <T>(work: () => Promise<T>): Promise<T> => {
      const next = writes.then(work);
      writes = next.catch(() => undefined);
      return next;
    };

    const mineOne = async (miner: PatternMiner): Promise<MinerReport> => {
      const t0 = performance.now();
      const report = (published: number, error?: unknown): MinerReport => ({
        miner: miner.name,
        patternType: miner.patternType,
        published,
        retired: 0,
        durationMs: Math.round(performance.now() - t0),
        ...(error === undefined ? {} : { error: describe(error) }),
      });
      try {
        // One consistent snapshot per miner, with the run's memory and time limits.
        const found = await this.sql.snapshot(
          limits,
          (query) =>
            miner.mine({
              from: run.from,
              to: run.to,
              minUserSupport: mode.kind === 'dp' ? 1 : run.minUserSupport,
              settings: this.config.patterns,
              query,
              dp: mode.kind === 'dp' ? minerDp(miner.patternType, mode) : null,
            }),
          read.source,
        );
        const { patterns, refused, withheld, unselected } = publish(miner, found, mode);
        const published = await serialized(() =>
          inTransaction(client, (tx) => this.patterns.upsert(tx, runId, miner.patternType, patterns, run.to)),
        );
        if (refused > 0)
          this.logger.warn(`Miner ${miner.name}: the run refused ${refused} of its ${found.length} patterns`);
        return {
          ...report(published),
          ...(refused > 0 ? { refused } : {}),
          ...(withheld > 0 ? { withheld } : {}),
          ...(mode.kind === 'dp' ? { unselected } : {}),
        };
      } catch (error) {
        failedTypes.add(miner.patternType);
        this.logger.warn(`Miner ${miner.name} failed: ${describe(error)}`);
        return report(0, error);
      }
    };

    const reports = await mapConcurrently(miners, this.config.patterns.concurrency, mineOne);
    let revokedAt: Date | null | undefined;
    for (const type of new Set(reports.map((r) => r.patternType))) {
      const last = reports.filter((r) => r.patternType === type).at(-1)!;
      if (!failedTypes.has(type)) {
        last.retired = await this.patterns.retireOthers(client, runId, type, run.to);
        continue;
      }
      // Not recounted: what was counted before someone withdrew or was erased may count them still.
      if (revokedAt === undefined) revokedAt = await this.consent.lastRevocation();
      last.retired = revokedAt ? await this.patterns.retireCountedBefore(client, type, revokedAt, run.to) : 0;
      last.retiredUnverified = true;
      if (last.retired > 0)
        this.logger.warn(
          `Retired ${last.retired} ${type} patterns whose support a failed miner could not recount after a withdrawal or erasure`,
        );
    }
    // Types no registered miner publishes any more (a miner was removed) are recounted by nobody: retire them.
    const orphans = await this.patterns.retireTypesOtherThan(
      client,
      [...new Set(reports.map((r) => r.patternType))],
      run.to,
    );
    if (orphans > 0) this.logger.log(`Retired ${orphans} patterns of types no registered miner publishes`);
    const failed = reports.filter((r) => r.error).length;
    const status: RunStatus = failed === 0 ? 'succeeded' : failed === reports.length ? 'failed' : 'partial';
    // Readers move to this run's answers first (they are all written), then the run is recorded as finished.
    this.events.emit(PATTERNS_MINED, { runId, status } satisfies PatternsMinedEvent);
    return {
      status,
      report: reports,
      error: failed ? `${failed} of ${reports.length} miners failed` : undefined,
      summary: reports.map((r) => `${r.miner} +${r.published}/-${r.retired}`).join(', '),
      details,
    };
  }

  /**
   * Threshold mode, or DP mode (DP_EPSILON): the run's (ε, δ) shared equally by the miners that take part, the
   * period of its randomness the run's window (whole days: runs over the same data on the same day agree).
   */
  private publicationMode(run: OpenRun): PublicationMode {
    const { privacy, patterns } = this.config;
    const k = run.minUserSupport;
    if (privacy.dpEpsilon === null) return { kind: 'threshold', k };
    const taking = Math.max(1, this.miners().filter((m) => m.supportsDp === true).length);
    return {
      kind: 'dp',
      k,
      budget: { epsilon: privacy.dpEpsilon / taking, delta: privacy.dpDelta / taking },
      bounds: { maxPartitions: privacy.maxPatternsPerUser, maxContributions: patterns.maxOccurrencesPerUser },
      period: `${run.from.toISOString().slice(0, 10)}..${run.to.toISOString().slice(0, 10)}`,
      uniform: (label) => this.uniform.draw(label),
    };
  }
}

/** `work` over every item, at most `limit` at a time; results in the items' order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

const describe = (error: unknown) => errorMessage(error, 300);
