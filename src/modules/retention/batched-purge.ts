import type { PoolClient } from 'pg';
import type { RetentionPolicy } from '../../common/retention/retention-policy';
import { inTransaction } from '../../database/sql-pool.service';

/** Rows deleted per statement: each batch is its own short transaction. */
export const PURGE_BATCH = 1000;
/** After each batch the purge rests twice as long as the batch took (at most this long), leaving two thirds of the time to ingestion. */
export const MAX_REST_MS = 200;

export type DatedPolicy = RetentionPolicy & { cutoff: Date };

/** What one batch did: rows deleted, and rows it selected (a row updated meanwhile is not deleted). */
interface Batch {
  deleted: number;
  found: number;
}

/** The policy's rows past the cutoff (`$1`) that no legal hold keeps, as an SQL condition on the table aliased `t`. */
export function expiredRows(policy: RetentionPolicy): string {
  const expired = typeof policy.expired === 'string' ? policy.expired : `t.${policy.expired.column} < $1`;
  return `${expired} AND ${notHeld(policy)}`;
}

/**
 * Rows of users under legal hold stay (for classes that name their user column). The held users are read once per
 * statement, as an array the rows are filtered by: as an anti-join (NOT EXISTS), the planner read the whole table and
 * sorted it for every batch once most rows were expired, instead of walking the time index for the batch's rows.
 */
export function notHeld(policy: RetentionPolicy): string {
  const user = `t.${policy.userColumn}`;
  return policy.userColumn
    ? `(${user} IS NULL OR ${user}::text <> ALL (ARRAY(SELECT h.user_id::text FROM legal_holds h)))`
    : 'true';
}

/**
 * Deletes the policy's expired rows in batches of PURGE_BATCH, each its own short statement (in a transaction that
 * sets the policy's delete setting, when it has one) followed by a rest twice as long as the batch took (at most
 * `maxRestMs`), so ingestion never waits behind one long delete and keeps most of the machine. Ends when a batch
 * finds nothing; answers the rows deleted.
 */
export async function purgeInBatches(
  client: PoolClient,
  policy: DatedPolicy,
  maxRestMs = MAX_REST_MS,
): Promise<number> {
  const batch = batchOf(policy);
  let total = 0;
  for (;;) {
    const started = performance.now();
    const { deleted, found } = policy.deleteSetting
      ? await inTransaction(client, async (tx) => {
          await tx.query(`SELECT set_config($1, 'on', true)`, [policy.deleteSetting]);
          return batch(tx);
        })
      : await batch(client);
    total += deleted;
    // A row updated between the selection and the delete moved, and is taken by a later batch or run.
    if (found === 0) return total;
    await new Promise((resolve) => setTimeout(resolve, Math.min(maxRestMs, 2 * (performance.now() - started))));
  }
}

/**
 * One batch's delete. With a time column, batches walk its index in order, each from the greatest value the last
 * one took: a batch that started from the beginning of the index again would step over the entries of every row
 * deleted before it (they stay until VACUUM), so a large purge took time in the square of its rows.
 */
function batchOf(policy: DatedPolicy): (client: PoolClient) => Promise<Batch> {
  const { table, cutoff, expired } = policy;
  if (typeof expired === 'string') {
    const statement = `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT t.ctid FROM ${table} t WHERE ${expiredRows(policy)} LIMIT $2))`;
    return async (client) => {
      const deleted = (await client.query(statement, [cutoff, PURGE_BATCH])).rowCount ?? 0;
      return { deleted, found: deleted };
    };
  }
  const column = expired.column;
  const statement = `WITH batch AS MATERIALIZED (
      SELECT t.ctid, t.${column} AS at FROM ${table} t
       WHERE ${expiredRows(policy)} AND t.${column} >= $3 ORDER BY t.${column} LIMIT $2
    ), gone AS (DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM batch)) RETURNING 1)
    SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM batch)::int AS found,
           (SELECT max(at) FROM batch)::text AS last`;
  let from = '-infinity';
  return async (client) => {
    const { rows } = await client.query<Batch & { last: string | null }>(statement, [cutoff, PURGE_BATCH, from]);
    const [{ deleted, found, last }] = rows;
    from = last ?? from;
    return { deleted, found };
  };
}
