/**
 * The small-cell rule: no number a reader can compute from one release (a pattern or an insight) may count fewer
 * than k users, unless it is 0. A release's counts are checked with every difference of two of them — the
 * complements (raters − satisfied, users − troubled) and the changes (current − previous) a reader forms — and with
 * the further counts its author derives from them (`derived`, e.g. a module's users who used neither of two
 * actions: module users − users of x − users of y + users of both).
 */

/** The smallest cell between 1 and k − 1 (exclusive of 0), or null when there is none. */
export function smallCell(counts: readonly number[], k: number, derived: readonly number[] = []): number | null {
  let smallest: number | null = null;
  const check = (cell: number) => {
    if (!Number.isFinite(cell)) smallest = Number.NaN;
    else if (cell !== 0 && Math.abs(cell) < k && (smallest === null || Math.abs(cell) < smallest))
      smallest = Math.abs(cell);
  };
  for (const count of counts) check(count);
  for (const cell of derived) check(cell);
  for (let i = 0; i < counts.length; i++) for (let j = i + 1; j < counts.length; j++) check(counts[i] - counts[j]);
  return smallest;
}
