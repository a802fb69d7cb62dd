import type { Type } from '@nestjs/common';
import { contributeTo } from '../../common/extension/contributions';
import type { AppConfig } from '../../config/app-config';

/** What a miner gets for one run. */
export interface MiningWindow {
  /** Events that happened in [from, to) are mined. */
  from: Date;
  to: Date;
  /**
   * k: a pattern fewer distinct users support is not published (the run also drops any a miner returns). In DP mode
   * it is 1: every candidate goes to the run's differentially private selection instead.
   */
  minUserSupport: number;
  /** The run's mining settings (MINING_*, MAX_SEQUENCE_*): a miner reads its parameters here, not from the config. */
  settings: Readonly<AppConfig['patterns']>;
  /** Runs SQL in the miner's own snapshot (a repeatable-read, read-only transaction on a pooled connection). */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Null in threshold mode; in DP mode what the miner must honour (docs/privacy.md). */
  dp: MinerDp | null;
}

/**
 * DP mode, for a miner: count every user towards at most `maxPartitions` patterns (L) and at most `maxContributions`
 * occurrences of each (C), choosing which by rank (a hash of the user, the pattern and the run's period: the same
 * for the same data, never looking at other users); put only per-user-bounded counts in `counts` (each user adds at
 * most 1 to each); no threshold of its own (the run's selection decides). `keeps` tells whether the run will
 * publish a candidate, for miners that would otherwise decrypt or sample every candidate.
 */
export interface MinerDp {
  maxPartitions: number;
  maxContributions: number;
  /**
   * SQL: the rows of `relation` (one per user and pattern, with a `user_id` column) a user keeps, at most L each,
   * ranked by `keyExpression` (text naming the pattern).
   */
  bounded(relation: string, keyExpression: string): string;
  /** The rank of a (user, pattern) pair in JavaScript, for miners that bound contributions in code (lower first). */
  rank(userId: string, key: string): string;
  keeps(module: string, signature: string, users: number): boolean;
}

/** One pattern a miner found; identified by (the miner's pattern type, module, signature). */
export interface MinedPattern {
  module: string;
  /** Stable identity within the type and module, at most 512 characters. */
  signature: string;
  /** What the pattern is, for readers (e.g. the actions of a sequence); JSON. */
  items: Record<string, unknown>;
  /** Distinct users supporting it. */
  support: number;
  /** Its events, at most MINING_MAX_OCCURRENCES_PER_USER per user. */
  occurrences: number;
  /**
   * Every other count (of users or of events) that its figures are computed from; published in `stats` under these
   * names. The run's publication gate checks them with the support and the occurrences, and withholds the figures
   * (counts, stats, confidence, lift) when any count, any difference of two, or any `derived` count is 1..k−1.
   */
  counts?: Record<string, number>;
  /** Further counts a reader can compute from the published ones (e.g. the users who used neither action). */
  derived?: number[];
  /** Figures computed from the support and `counts` alone (shares, confidence): published with them or not at all. */
  confidence?: number | null;
  lift?: number | null;
  stats?: Record<string, number> | null;
}

/** A pattern as the run publishes it: what the publication gate withheld is null. */
export interface PublishedPattern {
  module: string;
  signature: string;
  items: Record<string, unknown>;
  support: number;
  occurrences: number | null;
  confidence: number | null;
  lift: number | null;
  stats: Record<string, number> | null;
}

/**
 * A pattern miner: one provider contributed to `PATTERN_MINERS` (`patternMiner(Class)` in any module's providers).
 * It should read only events of users who consent now (`consentedEvents`) and count support as distinct users.
 */
export interface PatternMiner {
  /** Unique among miners, e.g. `sequence`. */
  readonly name: string;
  /** The `pattern_type` of what it publishes, e.g. `sequence` (several miners may share one). */
  readonly patternType: string;
  /** True when `mine` honours `window.dp`; in DP mode the run skips (and retires the patterns of) miners without it. */
  readonly supportsDp?: boolean;
  mine(window: MiningWindow): Promise<MinedPattern[]>;
  /**
   * DP mode: the figures computed from the released (noised) counts alone — confidence, lift, shares (post-processing,
   * which spends no budget). Without it, released patterns carry their counts and nothing computed from them.
   */
  deriveFromReleased?(released: ReleasedPattern[]): void;
}

/** A pattern the DP release published, before the figures its miner derives from the noised counts. */
export interface ReleasedPattern extends PublishedPattern {
  /** The noised counts, published in `stats`. */
  counts: Record<string, number>;
}

/**
 * The usual way to declare a miner: `class SequenceMiner extends PatternMinerBase('sequence', { supportsDp: true })`
 * gives it its name, the pattern type it publishes (its name unless `patternType` says otherwise) and whether it
 * honours DP mode; the class adds `mine` (and `deriveFromReleased` when it has figures to derive).
 */
export function PatternMinerBase(name: string, options: { patternType?: string; supportsDp?: boolean } = {}) {
  abstract class NamedMiner implements PatternMiner {
    readonly name = name;
    readonly patternType = options.patternType ?? name;
    readonly supportsDp = options.supportsDp ?? false;
    abstract mine(window: MiningWindow): Promise<MinedPattern[]>;
  }
  return NamedMiner;
}

export const PATTERN_MINERS = Symbol('PATTERN_MINERS');

/** The provider entry that registers a miner: `providers: [patternMiner(MyMiner)]`. */
export const patternMiner = (miner: Type<PatternMiner>) => contributeTo(PATTERN_MINERS, miner);

/**
 * The events miners may read, as a FROM item: those in the window ($1 = from, $2 = to) of `consented_learning_events`,
 * the learning module's view of the events of users who consent now, received after their last withdrawal (what a
 * withdrawal with `exclude` kept is never mined again).
 */
export const CONSENTED_EVENTS = `(SELECT * FROM consented_learning_events WHERE timestamp >= $1 AND timestamp < $2)`;
