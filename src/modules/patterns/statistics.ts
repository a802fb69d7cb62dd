/** z for a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

/**
 * Lower bound of the Wilson score interval for a proportion `positive / total` (totals may be fractional when
 * counts are weighted). 0 when there is nothing to estimate from.
 */
export function wilsonLowerBound(positive: number, total: number, z = Z_95): number {
  if (!(total > 0)) return 0;
  const p = Math.min(Math.max(positive / total, 0), 1);
  const z2 = z * z;
  const centre = p + z2 / (2 * total);
  const margin = z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  return Math.max(0, (centre - margin) / (1 + z2 / total));
}
