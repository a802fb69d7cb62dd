/**
 * The small-cell rule: no number a reader can compute from one release (a pattern or an insight) may count fewer
 * than k users, unless it is 0. A release's counts of distinct users are checked together with every number a
 * reader can form by adding and subtracting them — the complements (raters − satisfied), the differences
 * (current − previous) and the inclusion–exclusion terms (module users − users of x − users of y + users of both).
 */

/** At most this many counts per release: the check forms 3^n signed sums. */
export const MAX_GATED_COUNTS = 8;

/**
 * The smallest derivable value between 1 and k − 1 (a small cell), or null when there is none. `counts` are the
 * release's counts of distinct users; every sum Σ cᵢ·countᵢ with cᵢ ∈ {−1, 0, 1} is checked by its absolute value.
 */
export function smallCell(counts: readonly number[], k: number): number | null {
  if (counts.length > MAX_GATED_COUNTS) throw new RangeError(`a release may gate at most ${MAX_GATED_COUNTS} counts`);
  let sums = new Set([0]);
  for (const count of counts) {
    if (!Number.isFinite(count)) return NaN;
    const next = new Set<number>();
    for (const sum of sums)
      next
        .add(sum)
        .add(sum + count)
        .add(sum - count);
    sums = next;
  }
  let smallest: number | null = null;
  for (const sum of sums) {
    const size = Math.abs(sum);
    if (size > 0 && size < k && (smallest === null || size < smallest)) smallest = size;
  }
  return smallest;
}
