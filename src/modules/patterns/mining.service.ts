import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { PoolClient } from 'pg';
import { firstPerKey } from '../../common/collections/first-per-key';
import { errorMessage } from '../../common/errors/error-message';
import { checkPluginNames, type Contributions } from '../../common/extension/contributions';
import { isSafeJson, unsafeTextReason } from '../../common/text/safe-text';
import { AppConfig } from '../../config/app-config';
import type { RunOutcome, RunStart } from '../../database/runs/run-book';
import { ClusterScheduler } from '../../database/scheduling/cluster-scheduler';
import { inTransaction, SqlPool } from '../../database/sql-pool.service';
import { AuditService } from '../audit/audit.service';
import { MiningRunInProgressError } from './patterns.errors';
import type { MinerReport, RunTrigger } from './entities/mining-run.entity';
import type { RunStatus } from '../../common/runs/run-status';
import { ConsentLedgerService } from '../consent/consent-ledger.service';
import { MiningRuns } from './mining-runs';
import { releasePattern } from '../disclosure/publication-gate';
import { finiteOrNull } from '../../database/chunked-write';
import { PATTERN_MINERS, type MinedPattern, type PatternMiner, type PublishedPattern } from './pattern-miner';
import { PatternsRepository } from './patterns.repository';

/** Emitted after every finished run (caches of pattern reads listen to it). */
export const PATTERNS_MINED = 'patterns.mined';
export interface PatternsMinedEvent {
  runId: string;
  status: RunStatus;
}

/** A miner's statement running longer than this is cancelled (the run then reports the miner as failed). */
const STATEMENT_TIMEOUT_MS = 300_000;
const MAX_SIGNATURE = 512;

export type StartResult = RunStart<MinerReport[]>;

interface OpenRun {
  id: string;
  from: Date;
  to: Date;
  minUserSupport: number;
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
    private readonly scheduler: ClusterScheduler,
    private readonly runs: MiningRuns,
    private readonly consent: ConsentLedgerService,
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
  start(trigger: RunTrigger, requestedBy: string | null = null): Promise<StartResult> {
    const to = new Date();
    const window = {
      from: new Date(to.getTime() - this.config.patterns.windowDays * 86_400_000),
      to,
      minUserSupport: this.config.patterns.minUserSupport,
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
        const found = await this.sql.snapshot(limits, (query) =>
          miner.mine({
            from: run.from,
            to: run.to,
            minUserSupport: run.minUserSupport,
            settings: this.config.patterns,
            query,
          }),
        );
        const publishable = firstPerKey(
          found.filter((p) => this.publishable(p, run.minUserSupport)),
          (p) => `${p.module}\u0000${p.signature}`,
        );
        const released = publishable.map((p) => release(p, run.minUserSupport));
        const withheld = released.filter((r) => r.withheld).length;
        const published = await serialized(() =>
          inTransaction(client, (tx) =>
            this.patterns.upsert(
              tx,
              runId,
              miner.patternType,
              released.map((r) => r.pattern),
              run.to,
            ),
          ),
        );
        const refused = found.length - publishable.length;
        if (refused > 0)
          this.logger.warn(`Miner ${miner.name}: the run refused ${refused} of its ${found.length} patterns`);
        return { ...report(published), ...(refused > 0 ? { refused } : {}), ...(withheld > 0 ? { withheld } : {}) };
      } catch (error) {
        failedTypes.add(miner.patternType);
        this.logger.warn(`Miner ${miner.name} failed: ${describe(error)}`);
        return report(0, error);
      }
    };

    const reports = await mapConcurrently(this.miners(), this.config.patterns.concurrency, mineOne);
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
    };
  }

  /** The run's own guard: whatever a miner returns, nothing under k users or malformed is published. */
  private publishable(p: MinedPattern, k: number): boolean {
    return (
      Number.isInteger(p.support) &&
      p.support >= k &&
      Number.isFinite(p.occurrences) &&
      p.occurrences >= 0 &&
      typeof p.module === 'string' &&
      p.module.length > 0 &&
      p.module.length <= 64 &&
      typeof p.signature === 'string' &&
      p.signature.length > 0 &&
      p.signature.length <= MAX_SIGNATURE &&
      unsafeTextReason(p.module) === null &&
      unsafeTextReason(p.signature) === null &&
      isSafeJson(p.items) &&
      isSafeJson(p.stats ?? null)
    );
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

/** A pattern as published: what the publication gate withholds (`releasePattern`) is null. */
function release(p: MinedPattern, k: number): { pattern: PublishedPattern; withheld: boolean } {
  const { occurrences, figures } = releasePattern(p, k);
  return {
    pattern: {
      module: p.module,
      signature: p.signature,
      items: p.items,
      support: p.support,
      occurrences: occurrences ? p.occurrences : null,
      confidence: figures ? finiteOrNull(p.confidence) : null,
      lift: figures ? finiteOrNull(p.lift) : null,
      stats: figures && (p.counts || p.stats) ? { ...p.stats, ...p.counts } : null,
    },
    withheld: !occurrences || !figures,
  };
}
