import { firstPerKey } from '../../common/collections/first-per-key';
import { isSafeJson, unsafeTextReason } from '../../common/text/safe-text';
import { boundedSql, partitionRank } from '../disclosure/contribution-bounds';
import { dpRelease, dpSelects, type DpBounds, type DpBudget, type Uniform } from '../disclosure/dp-release';
import { releasePattern } from '../disclosure/publication-gate';
import { finiteOrNull } from '../../database/chunked-write';
import type { MinedPattern, MinerDp, PatternMiner, PublishedPattern, ReleasedPattern } from './pattern-miner';

const MAX_SIGNATURE = 512;

/** How a run publishes: the plain k threshold, or user-level differential privacy (DP_EPSILON). */
export type PublicationMode =
  | { kind: 'threshold'; k: number }
  | { kind: 'dp'; k: number; budget: DpBudget; bounds: DpBounds; period: string; uniform: Uniform };

export interface Publication {
  patterns: PublishedPattern[];
  /** Malformed, unacceptable text, or (threshold mode) under k users. */
  refused: number;
  /** Published with some figures withheld by the small-cell gate. */
  withheld: number;
  /** DP mode: candidates the selection or the gate did not publish. */
  unselected: number;
}

/** What one miner's found patterns become. */
export function publish(miner: PatternMiner, found: MinedPattern[], mode: PublicationMode): Publication {
  const floor = mode.kind === 'threshold' ? mode.k : 1;
  const wellFormed = firstPerKey(
    found.filter((p) => isWellFormed(p, floor)),
    (p) => `${p.module}\u0000${p.signature}`,
  );
  const refused = found.length - wellFormed.length;
  if (mode.kind === 'threshold') {
    const gated = wellFormed.map((p) => gate(p, mode.k));
    return {
      patterns: gated.map((g) => g.pattern),
      refused,
      withheld: gated.filter((g) => g.withheld).length,
      unselected: 0,
    };
  }
  const released: ReleasedPattern[] = [];
  for (const p of wellFormed) {
    const identity = candidateIdentity(miner.patternType, p.module, p.signature, mode.period);
    const out = dpRelease(
      { identity, users: p.support, occurrences: p.occurrences, counts: p.counts ?? {} },
      mode.budget,
      mode.bounds,
      mode.uniform,
    );
    if (!out) continue;
    released.push({
      module: p.module,
      signature: p.signature,
      items: p.items,
      support: out.users,
      occurrences: out.occurrences ?? null,
      counts: out.counts,
      confidence: null,
      lift: null,
      stats: null,
    });
  }
  // Everything from here is post-processing of the noised counts: it spends nothing. A noised support under k is not
  // published (no small cell in DP mode either); the miner derives its figures from what remains; the small-cell
  // gate judges the noised counts.
  const kept = released.filter((r) => r.support >= mode.k);
  miner.deriveFromReleased?.(kept);
  const gated = kept.map((r) => gate({ ...r, occurrences: r.occurrences ?? 0, stats: r.stats ?? undefined }, mode.k));
  return {
    patterns: gated.map((g) => g.pattern),
    refused,
    withheld: gated.filter((g) => g.withheld).length,
    unselected: wellFormed.length - gated.length,
  };
}

/** Names a candidate for its keyed randomness: its type, module, signature and the run's period. */
export function candidateIdentity(type: string, module: string, signature: string, period: string): string {
  return `${type}|${module}|${signature}|${period}`;
}

/** What a miner honours in DP mode (`MiningWindow.dp`). */
export function minerDp(type: string, mode: Extract<PublicationMode, { kind: 'dp' }>): MinerDp {
  const { bounds, budget, period, uniform } = mode;
  return {
    maxPartitions: bounds.maxPartitions,
    maxContributions: bounds.maxContributions,
    bounded: (relation, key) => boundedSql(relation, key, period, bounds.maxPartitions),
    rank: (userId, key) => partitionRank(userId, key, period),
    keeps: (module, signature, users) =>
      dpSelects(candidateIdentity(type, module, signature, period), users, budget, bounds, uniform),
  };
}

/** A pattern as published: what the small-cell gate withholds (`releasePattern`) is null. */
function gate(p: MinedPattern, k: number): { pattern: PublishedPattern; withheld: boolean } {
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

/** The run's own guard: whatever a miner returns, nothing under `floor` users or malformed is published. */
function isWellFormed(p: MinedPattern, floor: number): boolean {
  return (
    Number.isInteger(p.support) &&
    p.support >= floor &&
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
    isSafeJson(p.stats ?? null) &&
    Object.values(p.counts ?? {}).every((n) => Number.isInteger(n) && n >= 0)
  );
}
