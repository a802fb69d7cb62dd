import type { AppConfig } from '../../config/app-config';
import type { Type } from '@nestjs/common';
import { contributeTo } from '../../common/extension/contributions';
import type { InsightEvidence } from './entities/collective-insight.entity';

/** A half-open span of time [from, to). */
export interface Span {
  from: Date;
  to: Date;
}

/** What a generator gets for one run. */
export interface GenerationContext {
  /** The period insights describe (the last INSIGHTS_PERIOD_DAYS) and the one before it, as long. */
  period: Span;
  previous: Span;
  /** k: every count an insight publishes must be 0 or at least this many distinct users. */
  minUserSupport: number;
  /** Significance level: a test's change is published when its p-value is below it. */
  alpha: number;
  /** The run's insight settings (INSIGHTS_*): a generator reads its parameters here, not from the config. */
  settings: Readonly<AppConfig['insights']>;
  /** How many days a mining run's window covers (MINING_WINDOW_DAYS), for generators that read the patterns. */
  miningWindowDays: number;
  /**
   * Runs SQL in the run's snapshot (repeatable read, read only). Generators read the other modules' views, not their
   * tables: `CONSENTED_EVENTS` (learning's consented events of the two periods) and `published_patterns`.
   */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The count to publish for a true count of distinct users (noised under INSIGHTS_DP_EPSILON, else exact). */
  count(identity: string, trueCount: number): number;
  /** Null in threshold mode; in DP mode (DP_EPSILON) `bounded` wraps the per-user rows of every release. */
  dp: { bounded(relation: string, partitionKey: string): string } | null;
  /**
   * Releases the counts of one partition (e.g. a module) of a release family the generator declares in
   * `releaseFamilies`: `users` are the partition's distinct users, `counts` further counts to which each user adds at
   * most 1. Threshold mode: as `count` gives them. DP mode: selected by DP partition selection (null: not published)
   * and noised with discrete noise from the family's share of the run's ε, after the per-user rows were bounded
   * (`dp.bounded`, keyed by the same partition). The same family and partition give the same numbers to every
   * generator that asks.
   */
  release(family: string, partition: string, users: number, counts?: Record<string, number>): Released | null;
  /** Whether a published count may be shown: 0, or at least k. */
  publishable(count: number): boolean;
  /**
   * The counts that may be shown together: `required`, then each optional one in order while no count and no
   * difference of two is 1..k−1 (see the publication gate).
   */
  publishableCounts(
    required: Record<string, number>,
    optional: [name: string, count: number][],
  ): Record<string, number>;
}

/**
 * A released partition: its users and counts, as published, and `noiseVariance`, the variance of the noise in each
 * of them (0 when exact), which significance tests add to their own.
 */
export type Released = { users: number; noiseVariance: number } & Record<string, number>;

/** One insight a generator found; identified by (the generator's insight type, module, key). */
export interface GeneratedInsight {
  module: string;
  /** Stable identity within type and module (regenerating it updates the same row), at most 256 characters. */
  key: string;
  title: string;
  metric: string;
  value: number;
  baseline?: number | null;
  change?: number | null;
  /** 0..1: 1 − p-value of the generator's test; 1 for descriptive insights. */
  significance: number;
  /** Distinct users behind its smallest published denominator. */
  support: number;
  /** Defaults to the context's period. */
  period?: Span;
  /**
   * What it rests on. `evidence.aggregate` holds counts only (of users, or of days' users): the run's publication gate
   * publishes the insight only when none of them, no difference of two and no `derived` count is 1..k−1.
   */
  evidence: InsightEvidence;
  /** Further counts a reader can compute from the aggregate (beyond the differences of two of them). */
  derived?: number[];
  /** Other figures (test statistics, settings): not counts. */
  stats?: Record<string, number>;
}

/** An insight generator: one provider contributed to `INSIGHT_GENERATORS` (`insightGenerator(Class)`). */
export interface InsightGenerator {
  /** Unique among generators, e.g. `trend`. */
  readonly name: string;
  /** The `insight_type` of what it publishes. */
  readonly insightType: string;
  /**
   * DP mode: the release families it reads its counts through (`context.release`); a generator without them is
   * skipped in DP mode (and its insights withdrawn). Families shared by generators are released, and spent, once.
   */
  readonly releaseFamilies?: readonly string[];
  generate(context: GenerationContext): Promise<GeneratedInsight[]>;
}

/**
 * The usual way to declare a generator: `class TrendGenerator extends InsightGeneratorBase('trend', { releaseFamilies })`
 * gives it its name, the insight type it publishes (its name unless `insightType` says otherwise) and the release
 * families it reads in DP mode; the class adds `generate`.
 */
export function InsightGeneratorBase(
  name: string,
  options: { insightType?: string; releaseFamilies?: readonly string[] } = {},
) {
  abstract class NamedGenerator implements InsightGenerator {
    readonly name = name;
    readonly insightType = options.insightType ?? name;
    readonly releaseFamilies = options.releaseFamilies;
    abstract generate(context: GenerationContext): Promise<GeneratedInsight[]>;
  }
  return NamedGenerator;
}

export const INSIGHT_GENERATORS = Symbol('INSIGHT_GENERATORS');

/** The provider entry that registers a generator: `providers: [insightGenerator(MyGenerator)]`. */
export const insightGenerator = (generator: Type<InsightGenerator>) => contributeTo(INSIGHT_GENERATORS, generator);

/** `12.3 %` for a ratio of 0.123. */
export const percent = (ratio: number) => `${(100 * ratio).toFixed(1)} %`;

/**
 * The events generators may read, as a FROM item: `consented_learning_events` (the learning module's view of the
 * events of users who consent now) between $1 and $2.
 */
export const CONSENTED_EVENTS = `(SELECT * FROM consented_learning_events WHERE timestamp >= $1 AND timestamp < $2)`;
