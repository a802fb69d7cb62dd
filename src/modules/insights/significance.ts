/** Standard normal cumulative distribution (Abramowitz & Stegun 26.2.17, absolute error below 7.5e-8). */
export function normalCdf(z: number): number {
  if (!Number.isFinite(z)) return z > 0 ? 1 : 0;
  if (z === 0) return 0.5;
  const x = Math.abs(z);
  const t = 1 / (1 + 0.2316419 * x);
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = (Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI)) * poly;
  return z >= 0 ? 1 - tail : tail;
}

/** Two-sided p-value of a z statistic. */
export const twoSidedP = (z: number): number => Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));

export interface TestResult {
  z: number;
  p: number;
}

/**
 * Two-proportion z-test (pooled): is x1/n1 different from x2/n2? z > 0 when the first is larger. NaN z (and
 * p = 1) when either sample is empty or the pooled rate is 0 or 1 (no variation to test against).
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number, noiseVariance = 0): TestResult {
  if (!(n1 > 0 && n2 > 0)) return { z: Number.NaN, p: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  // Noised counts (DP mode) add their variance: a share x/n with noise of variance v on x and n varies by about
  // v (1 + p²) / n² more.
  const noise = noiseVariance * (1 + pooled * pooled) * (1 / (n1 * n1) + 1 / (n2 * n2));
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2) + noise);
  if (!(se > 0)) return { z: Number.NaN, p: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, p: twoSidedP(z) };
}

/**
 * Do two counts over equally long periods differ (Poisson rates)? Conditional on their sum, the first is
 * Binomial(sum, 1/2) when the rates are equal; this is its normal approximation. z > 0 when the first is larger.
 */
export function countChangeTest(current: number, previous: number, noiseVariance = 0): TestResult {
  const total = current + previous;
  if (!(total > 0)) return { z: Number.NaN, p: 1 };
  // Each noised count (DP mode) adds the noise's variance.
  const z = (current - previous) / Math.sqrt(total + 2 * noiseVariance);
  return { z, p: twoSidedP(z) };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Makes the median absolute deviation a consistent estimator of the standard deviation under normality. */
const MAD_SCALE = 1.4826;

/**
 * Robust z-score of `value` against `baseline`: (value − median) / (1.4826 · MAD). Median and MAD ignore a few
 * outliers in the baseline, so one earlier spike neither hides the next nor raises the bar for it. When more than
 * half the baseline is identical (MAD 0) the mean absolute deviation around the median stands in (× 1.2533, its
 * normal consistency factor); when that is 0 too the baseline is constant and any change is infinitely unusual.
 */
export function robustZ(value: number, baseline: readonly number[]): { z: number; median: number; scale: number } {
  const centre = median(baseline);
  const deviations = baseline.map((v) => Math.abs(v - centre));
  let scale = MAD_SCALE * median(deviations);
  if (!(scale > 0)) scale = 1.2533 * (deviations.reduce((sum, d) => sum + d, 0) / Math.max(1, deviations.length));
  const diff = value - centre;
  const z = scale > 0 ? diff / scale : diff === 0 ? 0 : Math.sign(diff) * Number.POSITIVE_INFINITY;
  return { z, median: centre, scale };
}
