import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { PoolClient } from 'pg';
import type { Contributions } from '../../common/extension/contributions';
import { uuidv7 } from '../../common/ids/uuid-v7';
import { AppConfig } from '../../config/app-config';
import { inTransaction, SqlPool } from '../../database/sql-pool.service';
import type { RunStatus } from '../patterns/entities/mining-run.entity';
import { PATTERNS_MINED, type PatternsMinedEvent } from '../patterns/mining.service';
import type { GeneratorReport, InsightRunTrigger } from './entities/insight-run.entity';
import { INSIGHT_GENERATORS, type GeneratedInsight, type GenerationContext, type InsightGenerator, type Span } from './insight-generator';
import { InsightNoise } from './insight-noise';
import { InsightRunsRepository } from './insight-runs.repository';
import { InsightsMetrics } from './insights.metrics';
import { InsightsRepository } from './insights.repository';

/** Emitted after every finished generation (the insight cache listens to it). */
export const INSIGHTS_GENERATED = 'insights.generated';
export interface InsightsGeneratedEvent {
  runId: string;
  status: RunStatus;
}

const RUN_LOCK = 'insights:generation';
const STATEMENT_TIMEOUT_MS = 120_000;
const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const DAY_MS = 86_400_000;

export interface GenerationSummary {
  runId: string;
  status: RunStatus;
  durationMs: number;
  generators: GeneratorReport[];
}

export type GenerationStart = { started: true; runId: string; finished: Promise<GenerationSummary> } | { started: false; runningId: string | null };

/**
 * Insight generation: after every mining run that published anything and on demand, one at a time across all
 * instances (a session advisory lock held by the run's connection). Every registered generator runs in one
 * read-only, repeatable-read snapshot, one after the other; each one's insights are upserted in a short
 * transaction, and the active insights of a type it did not generate again are withdrawn — only when every
 * generator of that type succeeded.
 */
@Injectable()
export class GenerationService implements OnApplicationBootstrap {
  private readonly logger = new Logger(GenerationService.name);

  constructor(
    @Inject(INSIGHT_GENERATORS) private readonly contributions: Contributions<InsightGenerator>,
    private readonly sql: SqlPool,
    private readonly insights: InsightsRepository,
    private readonly runs: InsightRunsRepository,
    private readonly noise: InsightNoise,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
    private readonly metrics: InsightsMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const names = new Set<string>();
    for (const generator of this.generators()) {
      if (!NAME.test(generator.name) || !NAME.test(generator.insightType)) throw new Error(`Insight generator "${generator.name}" (type "${generator.insightType}"): names must match ${NAME.source}`);
      if (names.has(generator.name)) throw new Error(`Two insight generators are named "${generator.name}"`);
      names.add(generator.name);
    }
  }

  generators(): readonly InsightGenerator[] {
    return this.contributions.all();
  }

  /** A mining run finished on this instance: generate from what it published (not after a failed run). */
  @OnEvent(PATTERNS_MINED)
  async afterMining(event: PatternsMinedEvent): Promise<void> {
    if (event.status === 'failed') return;
    try {
      const start = await this.start('mining');
      if (start.started) await start.finished;
    } catch (error) {
      this.logger.error(`Insight generation after mining run ${event.runId} failed: ${(error as Error).message}`);
    }
  }

  /** Starts a run unless one is running on any instance; resolves once it has its id (or with the running one's). */
  start(trigger: InsightRunTrigger, requestedBy: string | null = null): Promise<GenerationStart> {
    return new Promise<GenerationStart>((resolveStart, rejectStart) => {
      let announced = false;
      let finishedResolve!: (summary: GenerationSummary) => void;
      let finishedReject!: (error: unknown) => void;
      const finished = new Promise<GenerationSummary>((resolve, reject) => {
        finishedResolve = resolve;
        finishedReject = reject;
      });
      finished.catch(() => undefined);
      this.sql
        .withSessionLock(RUN_LOCK, async (client) => {
          const id = uuidv7();
          const now = new Date();
          const days = this.config.insights.periodDays * DAY_MS;
          const period = { from: new Date(now.getTime() - days), to: now };
          await this.runs.failInterrupted(client);
          await this.runs.create(client, { id, trigger, requested_by: requestedBy?.slice(0, 128) ?? null, period_from: period.from, period_to: period.to, started_at: now });
          announced = true;
          resolveStart({ started: true, runId: id, finished });
          return this.execute(client, id, trigger, period);
        })
        .then(
          async (outcome) => {
            if (outcome.acquired) return finishedResolve(outcome.result);
            this.metrics.skipped(trigger);
            resolveStart({ started: false, runningId: (await this.runs.running().catch(() => undefined))?.id ?? null });
          },
          (error: unknown) => {
            if (!announced) return rejectStart(error);
            this.logger.error(`Insight generation failed: ${(error as Error).message}`);
            finishedReject(error);
          },
        );
    });
  }

  private async execute(client: PoolClient, runId: string, trigger: InsightRunTrigger, period: Span): Promise<GenerationSummary> {
    const started = performance.now();
    const { minUserSupport } = this.config.patterns;
    const previous = { from: new Date(period.from.getTime() - (period.to.getTime() - period.from.getTime())), to: period.from };
    const expiresAt = new Date(period.to.getTime() + 2 * this.config.insights.periodDays * DAY_MS);
    const reports: GeneratorReport[] = [];
    const failedTypes = new Set<string>();
    const found = new Map<InsightGenerator, GeneratedInsight[]>();
    // One snapshot for every generator, so their figures agree with each other.
    await this.sql.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await tx.query(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
      await tx.query(`SET LOCAL work_mem = '${this.config.patterns.workMemMb}MB'`);
      const context: GenerationContext = {
        period,
        previous,
        minUserSupport,
        alpha: this.config.insights.alpha,
        query: async <T>(text: string, params: unknown[] = []) => (await tx.query(text, params)).rows as T[],
        count: (identity, trueCount) => this.noise.count(identity, trueCount),
        publishable: (count) => count === 0 || count >= minUserSupport,
      };
      for (const generator of this.generators()) {
        const t0 = performance.now();
        try {
          await tx.query('SAVEPOINT generator');
          found.set(generator, dedupe((await generator.generate(context)).filter((i) => this.publishable(i, minUserSupport))));
          await tx.query('RELEASE SAVEPOINT generator');
          reports.push({ generator: generator.name, insightType: generator.insightType, published: 0, withdrawn: 0, durationMs: Math.round(performance.now() - t0) });
        } catch (error) {
          await tx.query('ROLLBACK TO SAVEPOINT generator');
          failedTypes.add(generator.insightType);
          this.logger.warn(`Insight generator ${generator.name} failed: ${describe(error)}`);
          reports.push({ generator: generator.name, insightType: generator.insightType, published: 0, withdrawn: 0, durationMs: Math.round(performance.now() - t0), error: describe(error) });
        }
      }
    });
    for (const [generator, insights] of found) {
      const report = reports.find((r) => r.generator === generator.name)!;
      report.published = await inTransaction(client, (tx) => this.insights.upsert(tx, runId, generator.insightType, insights, period, expiresAt, this.noise.enabled));
    }
    for (const type of new Set(reports.map((r) => r.insightType))) {
      if (failedTypes.has(type)) continue;
      reports.filter((r) => r.insightType === type).at(-1)!.withdrawn = await this.insights.withdrawOthers(client, runId, type);
    }
    await this.insights.withdrawTypesOtherThan(client, [...new Set(reports.map((r) => r.insightType))]);
    const failed = reports.filter((r) => r.error).length;
    const status: RunStatus = failed === 0 ? 'succeeded' : failed === reports.length ? 'failed' : 'partial';
    const durationMs = Math.round(performance.now() - started);
    this.events.emit(INSIGHTS_GENERATED, { runId, status } satisfies InsightsGeneratedEvent);
    await this.runs.finish(client, runId, { status, durationMs, generators: reports, error: failed ? `${failed} of ${reports.length} generators failed` : undefined });
    this.metrics.finished(trigger, status, durationMs / 1000);
    this.logger.log(`Insight run ${runId} ${status} in ${durationMs} ms: ${reports.map((r) => `${r.generator} +${r.published}/-${r.withdrawn}`).join(', ')}`);
    return { runId, status, durationMs, generators: reports };
  }

  /** The run's own guard: whatever a generator returns, nothing malformed or backed by fewer than k users. */
  private publishable(i: GeneratedInsight, k: number): boolean {
    return (
      typeof i.module === 'string' && i.module.length > 0 && i.module.length <= 64 &&
      typeof i.key === 'string' && i.key.length > 0 && i.key.length <= 256 &&
      typeof i.metric === 'string' && i.metric.length > 0 && i.metric.length <= 64 &&
      Number.isInteger(i.support) && i.support >= k &&
      Number.isFinite(i.value) && Number.isFinite(i.significance)
    );
  }
}

/** One insight per (module, key): a statement cannot upsert the same key twice. The first one wins. */
function dedupe(insights: GeneratedInsight[]): GeneratedInsight[] {
  const seen = new Set<string>();
  return insights.filter((i) => {
    const key = `${i.module}\u0000${i.key}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);
