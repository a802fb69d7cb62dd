import { smallCell } from './mechanisms/small-cells';

/** The counts of one pattern, as its miner found them. */
export interface PatternCounts {
  /** Distinct users supporting it: at least k, or the run does not publish it at all. */
  support: number;
  /** Its events (each user's capped). */
  occurrences: number;
  /** The other counts its figures (stats, confidence, lift) are computed from, published in `stats`. */
  counts?: Record<string, number>;
  /** Counts a reader can derive from them beyond their differences (e.g. the users who used neither action). */
  derived?: number[];
}

/** What of a pattern may be published besides its support. */
export interface PatternRelease {
  occurrences: boolean;
  /** The counts and everything computed from them: stats, confidence, lift. */
  figures: boolean;
}

/**
 * The publication gate of a pattern (see `smallCell`): its support always (it is at least k), then its figures and
 * its occurrences, each only while everything published with it stays free of small cells. The figures come first:
 * they are what readers use (shares, confidence), occurrences only describe volume.
 */
export function releasePattern(p: PatternCounts, k: number): PatternRelease {
  const counts = Object.values(p.counts ?? {});
  const derived = p.derived ?? [];
  if (smallCell([p.support, p.occurrences, ...counts], k, derived) === null)
    return { occurrences: true, figures: true };
  const figures = smallCell([p.support, ...counts], k, derived) === null;
  return { occurrences: !figures && smallCell([p.support, p.occurrences], k) === null, figures };
}

/** The counts of one insight: its support, every figure of its evidence, and the counts derived from them. */
export interface InsightCounts {
  support: number;
  aggregate: Record<string, number>;
  derived?: number[];
}

/** The publication gate of an insight: published whole, or not at all (its figures are what it says). */
export function releaseInsight(i: InsightCounts, k: number): boolean {
  return smallCell([i.support, ...Object.values(i.aggregate)], k, i.derived ?? []) === null;
}

/**
 * The largest set of optional counts that may be published beside `required` without a small cell, adding them in
 * the order given (for insights that show what they can, like a module's summary).
 */
export function publishableCounts(
  required: Record<string, number>,
  optional: [name: string, count: number][],
  k: number,
): Record<string, number> {
  const chosen = { ...required };
  for (const [name, count] of optional)
    if (smallCell([...Object.values(chosen), count], k) === null) chosen[name] = count;
  return chosen;
}
