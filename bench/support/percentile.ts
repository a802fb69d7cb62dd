/**
 * The p-th percentile (nearest rank) of values sorted ascending; NaN when there are none. A module of its own, with no
 * imports, so that the load generators' lean processes can use it without loading the database and ORM code.
 */
export function percentile(sortedAscending: number[], p: number): number {
  if (sortedAscending.length === 0) return NaN;
  const index = Math.min(sortedAscending.length - 1, Math.ceil((p / 100) * sortedAscending.length) - 1);
  return sortedAscending[Math.max(0, index)];
}
