import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { PoolClient } from 'pg';
import { firstPerKey } from '../../common/collections/first-per-key';
import { errorMessage } from '../../common/errors/error-message';
import { checkPluginNames, type Contributions } from '../../common/extension/contributions';
import { isUuid } from '../../common/ids/uuid';
import { AppConfig } from '../../config/app-config';
import type { RunOutcome, RunStart } from '../../database/runs/run-book';
import { inTransaction, SqlPool } from '../../database/sql-pool.service';
import { AuditService } from '../audit/audit.service';
import type { RunStatus } from '../../common/runs/run-status';
import { PATTERNS_MINED, type PatternsMinedEvent } from '../patterns/mining.service';
import type { GeneratorReport, InsightRunTrigger } from './entities/insight-run.entity';
import {
  INSIGHT_GENERATORS,
  type GeneratedInsight,
  type GenerationContext,
  type InsightGenerator,
  type Span,
} from './insight-generator';
import { KeyedUniform } from '../disclosure/keyed-uniform';
import { PrivacyBudget } from '../disclosure/privacy-budget.service';
import { publishableCounts, releaseInsight } from '../disclosure/publication-gate';
import { insightReleases, type InsightReleaseMode } from './insight-release';
import { InsightNoise } from './insight-noise';
import { GenerationInProgressError } from './insights.errors';
import { InsightRuns } from './insight-runs';
import { InsightsRepository } from './insights.repository';
import { ReplicaRouter, type ReadMark } from '../../database/replica-router';
import { analyticsRead } from '../../database/runs/analytics-read';

/** Emitted after every finished generation (the insight cache listens to it). */
export const INSIGHTS_GENERATED = 'insights.generated';
export interface InsightsGeneratedEvent {
  runId: string;
  status: RunStatus;
}

const STATEMENT_TIMEOUT_MS = 120_000;
const DAY_MS = 86_400_000;
const MAX_INT = 2_147_483_647;
/** After mining, a generation that finds another one running tries again this often, this many times. */
const RETRY_MS = 3000;
const RETRIES = 20;

export type GenerationStart = RunStart<GeneratorReport[]>;

/**
 * Insight generation: after every mining run that published anything and on demand, one at a time across all
 * instances (a session advisory lock held by the run's connection). Every registered generator runs in one
 * read-only, repeatable-read snapshot, one after the other; each one's insights are upserted in a short
 * transaction, and the active insights of a type it did not generate again are withdrawn — only when every
 * generator of that type succeeded.
 */
@Injectable()
export class GenerationService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly closing = new AbortController();
  /** Generations after mining runs, in progress or waiting to retry. */
  private readonly pending = new Set<Promise<void>>();
  private readonly logger = new Logger(GenerationService.name);

  constructor(
    @Inject(INSIGHT_GENERATORS) private readonly contributions: Contributions<InsightGenerator>,
    private readonly sql: SqlPool,
    private readonly insights: InsightsRepository,
    private readonly runs: InsightRuns,
    private readonly noise: InsightNoise,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
    private readonly budget: PrivacyBudget,
    private readonly uniform: KeyedUniform,
    private readonly audit: AuditService,
    private readonly replica: ReplicaRouter,
  ) {}

  onApplicationBootstrap(): void {
    checkPluginNames('Insight generator', this.generators(), (generator) => generator.insightType);
  }

  generators(): readonly InsightGenerator[] {
    return this.contributions.all();
  }

  /**
   * A mining run finished on this instance: generate from what it published (not after a failed run). When a
   * generation is already running (it may have started before these patterns were written), try again a little
   * later, so the insights always catch up with the latest patterns.
   */
  @OnEvent(PATTERNS_MINED)
  afterMining(event: PatternsMinedEvent): Promise<void> {
    const work = this.generateAfterMining(event);
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
    return work;
  }

  /**
   * Shutdown: no generation starts any more and the retries stop; one that started finishes first (the pools close
   * after this), instead of meeting closed pools halfway.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled(this.pending);
  }

  private async generateAfterMining(event: PatternsMinedEvent): Promise<void> {
    if (event.status === 'failed') return;
    try {
      for (let attempt = 0; attempt <= RETRIES && !this.closing.signal.aborted; attempt++) {
        const start = await this.start('mining');
        if (start.started) {
          await start.finished;
          return;
        }
        await sleep(RETRY_MS, undefined, { signal: this.closing.signal, ref: false }).catch(() => undefined);
      }
      if (this.closing.signal.aborted) return;
      this.logger.warn(
        `No insight generation after mining run ${event.runId}: another one kept running for ${(RETRIES * RETRY_MS) / 1000} s`,
      );
    } catch (error) {
      this.logger.error(`Insight generation after mining run ${event.runId} failed: ${(error as Error).message}`);
    }
  }

  /** An admin's request to run now: the started run, audited; 409 (`GenerationInProgressError`) while one runs on any instance. */
  async request(admin: string): Promise<{ runId: string; status: 'running' }> {
    const result = await this.start('manual', admin);
    if (!result.started) throw new GenerationInProgressError(result.runningId);
    await this.audit.adminDid(admin, 'insights.run_requested', result.runId);
    return { runId: result.runId, status: 'running' };
  }

  /** Starts a run unless one is running on any instance; resolves once it has its id (or with the running one's). */
  async start(trigger: InsightRunTrigger, requestedBy: string | null = null): Promise<GenerationStart> {
    // Whole UTC days: every run of a day describes the same period (and draws the same noise over the same data).
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const period: Span = { from: new Date(today - this.config.insights.periodDays * DAY_MS), to: new Date(today) };
    // What the primary has now (the patterns a mining run just wrote included): the run reads the replica once it
    // has replayed this far.
    const mark = await this.replica.mark();
    return this.runs.start({
      trigger,
      requestedBy,
      details: { period_from: period.from, period_to: period.to },
      execute: (client, id) => this.execute(client, id, period, mark),
      // Readers move on once the run is recorded as finished (its writes are committed by then).
      afterFinish: (run) =>
        this.events.emit(INSIGHTS_GENERATED, { runId: run.runId, status: run.status } satisfies InsightsGeneratedEvent),
    });
  }

  private async execute(
    client: PoolClient,
    runId: string,
    period: Span,
    mark: ReadMark,
  ): Promise<RunOutcome<GeneratorReport[]>> {
    const { minUserSupport } = this.config.patterns;
    const mode = this.releaseMode(period);
    // DP mode: the run's (ε, δ) is spent before anything is published; refused, the last insights stay as they are.
    const refused = mode.kind === 'dp' ? await this.budget.spendRun('insights', runId) : null;
    if (refused) {
      this.logger.warn(`Insight run ${runId}: ${refused}`);
      return { status: 'failed', report: [], error: refused, summary: 'no budget' };
    }
    const generators = this.generators().filter((g) => mode.kind === 'threshold' || g.releaseFamilies?.length);
    const read = await this.replica.sourceFor(mark);
    const previous = {
      from: new Date(period.from.getTime() - (period.to.getTime() - period.from.getTime())),
      to: period.from,
    };
    const expiresAt = new Date(Date.now() + 2 * this.config.insights.periodDays * DAY_MS);
    const reports: GeneratorReport[] = [];
    const failedTypes = new Set<string>();
    const found = new Map<InsightGenerator, GeneratedInsight[]>();
    // One snapshot for every generator, so their figures agree with each other.
    const limits = { statementTimeoutMs: STATEMENT_TIMEOUT_MS, workMemMb: this.config.patterns.workMemMb };
    await this.sql.snapshot(
      limits,
      async (query, tx) => {
        const context: GenerationContext = {
          period,
          previous,
          minUserSupport,
          alpha: this.config.insights.alpha,
          settings: this.config.insights,
          miningWindowDays: this.config.patterns.windowDays,
          query,
          count: (identity, trueCount) => this.noise.count(identity, trueCount),
          ...insightReleases(mode),
          publishable: (count) => count === 0 || count >= minUserSupport,
          publishableCounts: (required, optional) => publishableCounts(required, optional, minUserSupport),
        };
        for (const generator of generators) {
          const t0 = performance.now();
          const report = (error?: unknown): GeneratorReport => ({
            generator: generator.name,
            insightType: generator.insightType,
            published: 0,
            withdrawn: 0,
            durationMs: Math.round(performance.now() - t0),
            ...(error === undefined ? {} : { error: describe(error) }),
          });
          try {
            await tx.query('SAVEPOINT generator');
            found.set(
              generator,
              firstPerKey(
                (await generator.generate(context)).filter((i) => this.publishable(i, minUserSupport)),
                (i) => `${i.module}\u0000${i.key}`,
              ),
            );
            await tx.query('RELEASE SAVEPOINT generator');
            reports.push(report());
          } catch (error) {
            await tx.query('ROLLBACK TO SAVEPOINT generator');
            failedTypes.add(generator.insightType);
            this.logger.warn(`Insight generator ${generator.name} failed: ${describe(error)}`);
            reports.push(report(error));
          }
        }
      },
      read.source,
    );
    // Every write of the run in one transaction: readers see the previous generation or this one, never a mix.
    let error: string | undefined;
    try {
      await inTransaction(client, async (tx) => {
        for (const [generator, insights] of found) {
          reports.find((r) => r.generator === generator.name)!.published = await this.insights.upsert(
            tx,
            runId,
            generator.insightType,
            insights,
            period,
            expiresAt,
            mode.kind === 'dp' || this.noise.enabled,
          );
        }
        for (const type of new Set(reports.map((r) => r.insightType))) {
          if (failedTypes.has(type)) continue;
          reports.filter((r) => r.insightType === type).at(-1)!.withdrawn = await this.insights.withdrawOthers(
            tx,
            runId,
            type,
          );
        }
        await this.insights.withdrawTypesOtherThan(tx, [...new Set(reports.map((r) => r.insightType))]);
      });
    } catch (writeError) {
      error = `writing the insights failed: ${describe(writeError)}`;
      this.logger.error(`Insight run ${runId}: ${error}`);
      for (const report of reports) report.published = report.withdrawn = 0;
    }
    const failed = reports.filter((r) => r.error).length;
    const status: RunStatus = error || failed === reports.length ? 'failed' : failed === 0 ? 'succeeded' : 'partial';
    return {
      status,
      report: reports,
      error: error ?? (failed ? `${failed} of ${reports.length} generators failed` : undefined),
      summary: reports.map((r) => `${r.generator} +${r.published}/-${r.withdrawn}`).join(', '),
      details: analyticsRead.details(read),
    };
  }

  /**
   * Threshold mode, or DP mode (DP_EPSILON): the run's (ε, δ) shared equally by the release families of the
   * generators that take part; the randomness's period is the run's period (whole days).
   */
  private releaseMode(period: Span): InsightReleaseMode {
    const { privacy, patterns } = this.config;
    if (privacy.dpEpsilon === null)
      return {
        kind: 'threshold',
        count: (identity, trueCount) => this.noise.count(identity, trueCount),
        noiseVariance: this.noise.variance,
      };
    const families = new Set(this.generators().flatMap((g) => g.releaseFamilies ?? []));
    const shares = Math.max(1, families.size);
    return {
      kind: 'dp',
      budget: { epsilon: privacy.dpEpsilon / shares, delta: privacy.dpDelta / shares },
      bounds: { maxPartitions: privacy.maxPatternsPerUser, maxContributions: patterns.maxOccurrencesPerUser },
      families,
      period: `${period.from.toISOString().slice(0, 10)}..${period.to.toISOString().slice(0, 10)}`,
      uniform: (label) => this.uniform.draw(label),
    };
  }

  /**
   * The run's own guard: whatever a generator returns, nothing malformed, and nothing the publication gate refuses
   * (`releaseInsight`: no count of its evidence, difference of two or derived count may be 1..k−1).
   */
  private publishable(i: GeneratedInsight, k: number): boolean {
    const text = (value: unknown, max: number) => typeof value === 'string' && value.length > 0 && value.length <= max;
    return (
      text(i.module, 64) &&
      text(i.key, 256) &&
      text(i.metric, 64) &&
      text(i.title, 512) &&
      Number.isInteger(i.support) &&
      i.support >= k &&
      i.support <= MAX_INT &&
      Number.isFinite(i.value) &&
      Number.isFinite(i.significance) &&
      Array.isArray(i.evidence?.patternIds) &&
      i.evidence.patternIds.every((id) => typeof id === 'string' && isUuid(id)) &&
      Object.values(i.evidence.aggregate ?? {}).every((n) => typeof n === 'number') &&
      releaseInsight({ support: i.support, aggregate: i.evidence.aggregate ?? {}, derived: i.derived }, k) &&
      Object.values(i.stats ?? {}).every((n) => typeof n === 'number' && Number.isFinite(n)) &&
      (i.period === undefined ||
        (i.period.from instanceof Date && i.period.to instanceof Date && i.period.from < i.period.to))
    );
  }
}

const describe = (error: unknown) => errorMessage(error, 300);
