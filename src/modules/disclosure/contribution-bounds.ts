import { createHash } from 'node:crypto';

/**
 * Contribution bounding for differential privacy: each user counts towards at most L partitions of a release,
 * chosen by a hash of the user, the partition and the period — the same for the same data, and never looking at
 * other users (which is what lets the bound hold whoever else is in the data).
 */

/**
 * SQL: the rows of `relation` (with a `user_id` column; several rows may share a partition) whose partition is among
 * the user's L first by rank. `partitionKey` is an SQL text expression naming the partition; `period` (our own text
 * of two dates) and L are written as literals.
 */
export function boundedSql(relation: string, partitionKey: string, period: string, maxPartitions: number): string {
  if (!/^[0-9T:.Z-]+\.\.[0-9T:.Z-]+$/.test(period)) throw new RangeError(`not a period: ${period}`);
  const rank = `md5(r.user_id::text || '|' || ${partitionKey} || '|${period}')`;
  return `(SELECT * FROM (SELECT r.*, dense_rank() OVER (PARTITION BY r.user_id ORDER BY ${rank}) AS dp_rank FROM ${relation} r) b WHERE dp_rank <= ${Math.floor(maxPartitions)})`;
}

/** The same rank in JavaScript (lower first), for releases that bound contributions in code. */
export function partitionRank(userId: string, partitionKey: string, period: string): string {
  return createHash('md5').update(`${userId}|${partitionKey}|${period}`).digest('hex');
}
