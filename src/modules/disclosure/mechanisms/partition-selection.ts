/**
 * Differentially private partition selection: whether to publish a candidate (a pattern) that `n` distinct users
 * support, without a count threshold that one user could tip. This is the optimal mechanism of Desfontaines, Voss,
 * Gipson and Mandayam, "Differentially private partition selection" (PoPETs 2022, arXiv:2006.03684, Theorem 1),
 * the one Google's differential-privacy library ships as `PreAggSelectPartition`: each user contributes to at most
 * `maxPartitions` candidates (L), and the whole selection is (ε, δ)-differentially private for a user.
 *
 * Per candidate the budget is ε' = ε / L and δ' = δ / L (basic composition over the L candidates a user touches).
 * The keep probability π satisfies π(0) = 0 and
 *   π(n) = min(e^ε' π(n−1) + δ', 1 − e^−ε' (1 − π(n−1) − δ'), 1),
 * the largest function for which adding or removing one user changes every outcome's probability by at most the
 * (ε', δ') bound in both directions. Solving the recurrence gives the closed form below: the first branch rules
 * up to the crossover nCr, the second after it, until π reaches 1.
 */
export interface SelectionBudget {
  epsilon: number;
  delta: number;
  /** L: the most candidates one user's data may add to (contribution bounding makes this true). */
  maxPartitions: number;
}

/** The probability of publishing a candidate that `n` distinct users support. */
export function keepProbability(n: number, budget: SelectionBudget): number {
  if (!(n >= 1)) return 0;
  const { epsilon, delta } = perPartition(budget);
  const crossover = firstCrossover(epsilon, delta);
  if (n <= crossover) return Math.min(1, delta * geometricSum(epsilon, n));
  const atCrossover = delta * geometricSum(epsilon, crossover);
  const m = n - crossover;
  // 1 − π(nCr + m) = e^(−mε)(1 − π(nCr)) − δ Σ_{i=1..m} e^(−iε), and Σ_{i=1..m} e^(−iε) = −expm1(−mε) / expm1(ε).
  const decay = Math.exp(-m * epsilon);
  const tail = epsilon === 0 ? m : -Math.expm1(-m * epsilon) / Math.expm1(epsilon);
  return Math.min(1, 1 - decay * (1 - atCrossover) + delta * (Number.isFinite(tail) ? tail : 0));
}

/** The smallest number of users from which a candidate is always published (π = 1). */
export function hardThreshold(budget: SelectionBudget): number {
  let n = 1;
  while (keepProbability(n, budget) < 1) n = n < 1024 ? n + 1 : Math.ceil(n * 1.01);
  // The search may overshoot when it strides: walk back to the first n with π = 1.
  while (n > 1 && keepProbability(n - 1, budget) >= 1) n -= 1;
  return n;
}

function perPartition(budget: SelectionBudget): { epsilon: number; delta: number } {
  const { epsilon, delta, maxPartitions } = budget;
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError('epsilon must be a finite number above 0');
  if (!(delta > 0 && delta < 1)) throw new RangeError('delta must lie strictly between 0 and 1');
  if (!(Number.isInteger(maxPartitions) && maxPartitions >= 1)) throw new RangeError('maxPartitions must be ≥ 1');
  return { epsilon: epsilon / maxPartitions, delta: delta / maxPartitions };
}

/**
 * nCr: the first branch holds at n while π(n−1) ≤ (1 − δ)/(1 + e^ε), that is while
 * (n − 1) ≤ ln(1 + tanh(ε/2)(1/δ − 1)) / ε.
 */
function firstCrossover(epsilon: number, delta: number): number {
  return 1 + Math.floor(Math.log1p(Math.tanh(epsilon / 2) * (1 / delta - 1)) / epsilon);
}

/** Σ_{i=0..n−1} e^(iε) = expm1(nε) / expm1(ε); n when ε is too small for the ratio to be computed. */
function geometricSum(epsilon: number, n: number): number {
  const denominator = Math.expm1(epsilon);
  if (denominator === 0) return n;
  return Math.expm1(n * epsilon) / denominator;
}
