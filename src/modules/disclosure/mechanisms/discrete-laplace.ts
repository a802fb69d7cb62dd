/**
 * The discrete Laplace (two-sided geometric) distribution: P(X = k) = (1 − p)/(1 + p) · p^|k| with p = e^(−ε/Δ).
 * Added to an integer count whose value one user changes by at most Δ (its sensitivity), it makes the count
 * ε-differentially private (Ghosh, Roughgarden and Sundararajan, "Universally utility-maximizing privacy
 * mechanisms", STOC 2009). Unlike rounded continuous Laplace noise, every output is an integer and no
 * floating-point artefact of the sampler reveals the true value.
 */

/** The noise at `u` in (0, 1): the smallest k with P(X ≤ k) ≥ u (inverse CDF sampling). */
export function discreteLaplaceQuantile(u: number, epsilon: number, sensitivity = 1): number {
  if (!(u > 0 && u < 1)) throw new RangeError('u must lie strictly between 0 and 1');
  const p = Math.exp(-epsilon / sensitivity);
  const logP = Math.log(p);
  // P(X ≤ k) = p^(−k) / (1 + p) for k < 0, and 1 − p^(k+1) / (1 + p) for k ≥ 0.
  if (u <= p / (1 + p)) return -Math.floor(Math.log(u * (1 + p)) / logP + 1e-12);
  return Math.max(0, Math.ceil(Math.log((1 - u) * (1 + p)) / logP - 1e-12) - 1);
}

/** P(X = k) for the discrete Laplace distribution of `epsilon` and `sensitivity`. */
export function discreteLaplaceProbability(k: number, epsilon: number, sensitivity = 1): number {
  const p = Math.exp(-epsilon / sensitivity);
  return ((1 - p) / (1 + p)) * p ** Math.abs(k);
}
