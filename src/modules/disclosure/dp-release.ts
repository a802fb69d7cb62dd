import { discreteLaplaceQuantile } from './mechanisms/discrete-laplace';
import { keepProbability } from './mechanisms/partition-selection';

/** What one release (one miner's output in one run) may spend: (ε, δ) for a user's whole contribution to it. */
export interface DpBudget {
  epsilon: number;
  delta: number;
}

/** The contribution bounds the miner enforced before counting (each user, chosen without looking at others). */
export interface DpBounds {
  /** L: the most candidates one user adds to. */
  maxPartitions: number;
  /** C: the most one user adds to one candidate's occurrences. */
  maxContributions: number;
}

/** One candidate, counted over bounded contributions. */
export interface DpCandidate {
  /** Names the candidate for its randomness: stable for the same candidate in the same period. */
  identity: string;
  /** Distinct users (each adds 1). */
  users: number;
  /** Its events (each user adds at most C), when it has any. */
  occurrences?: number;
  /** Further counts to which each user adds at most 1 (e.g. the positive raters). */
  counts: Record<string, number>;
}

/** A published candidate: every count noised. */
export interface DpReleased {
  users: number;
  occurrences?: number;
  counts: Record<string, number>;
}

/** A uniform number in (0, 1) for a label: keyed and deterministic (`KeyedUniform`), or seeded in tests. */
export type Uniform = (label: string) => number;

/**
 * User-level differential privacy for one release of candidates (patterns of one miner): half of ε and all of δ
 * decide which candidates are published (`keepProbability`, partition selection over the L candidates a user adds
 * to); the other half noises the published counts with discrete Laplace noise, shared equally among a candidate's
 * counts. A user adds at most 1 to L candidates' user counts and extra counts and at most C to their occurrences, so
 * count j of a candidate has L1 sensitivity L (or L·C for occurrences) over the release, and by basic composition the
 * release is (ε, δ)-differentially private for every user. Everything computed afterwards from the noised counts
 * (shares, confidence, the small-cell gate) is post-processing and spends nothing.
 */
export function dpRelease(
  candidate: DpCandidate,
  budget: DpBudget,
  bounds: DpBounds,
  uniform: Uniform,
): DpReleased | null {
  if (!dpSelects(candidate.identity, candidate.users, budget, bounds, uniform)) return null;
  const names = Object.keys(candidate.counts);
  const perCount = countEpsilon(budget, names.length, candidate.occurrences !== undefined);
  const noised = (figure: string, value: number, sensitivity: number) =>
    Math.max(
      0,
      value + discreteLaplaceQuantile(uniform(`${candidate.identity}|${figure}|${value}`), perCount, sensitivity),
    );
  return {
    users: noised('users', candidate.users, bounds.maxPartitions),
    ...(candidate.occurrences === undefined
      ? {}
      : {
          occurrences: noised('occurrences', candidate.occurrences, bounds.maxPartitions * bounds.maxContributions),
        }),
    counts: Object.fromEntries(names.map((name) => [name, noised(name, candidate.counts[name], bounds.maxPartitions)])),
  };
}

/**
 * Whether the release publishes a candidate of `users` users at all: the selection `dpRelease` starts with (half of
 * ε and all of δ over L partitions), for callers that need only that decision before doing costly work.
 */
export function dpSelects(
  identity: string,
  users: number,
  budget: DpBudget,
  bounds: DpBounds,
  uniform: Uniform,
): boolean {
  const selection = { epsilon: budget.epsilon / 2, delta: budget.delta, maxPartitions: bounds.maxPartitions };
  return uniform(`${identity}|keep|${users}`) < keepProbability(users, selection);
}

/** Each of a candidate's counts gets an equal share of the counting half of ε: its users, occurrences and counts. */
function countEpsilon(budget: DpBudget, extraCounts: number, withOccurrences: boolean): number {
  return budget.epsilon / 2 / (1 + (withOccurrences ? 1 : 0) + extraCounts);
}

/**
 * The variance of the noise `dpRelease` adds to each user count of a candidate with `extraCounts` further counts:
 * 2p / (1 − p)² for discrete Laplace noise with p = e^(−ε/L). Tests on noised counts add it to their own variance.
 */
export function dpNoiseVariance(
  budget: DpBudget,
  bounds: DpBounds,
  extraCounts: number,
  withOccurrences = false,
): number {
  const p = Math.exp(-countEpsilon(budget, extraCounts, withOccurrences) / bounds.maxPartitions);
  return (2 * p) / (1 - p) ** 2;
}
