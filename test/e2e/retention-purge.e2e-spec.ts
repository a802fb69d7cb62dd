import type { PoolClient } from 'pg';
import { type DatedPolicy, PURGE_BATCH, purgeInBatches } from '../../src/modules/retention/batched-purge';
import { newUserId } from '../support/ids';
import { useSuiteDatabase } from '../support/suite';

const DAY_MS = 86_400_000;
const TIME_INDEX = 'global_learning_events_timestamp_index';

/**
 * The batches of a purge on a real table: what goes and what stays (cutoff, legal holds, runs of rows with one
 * timestamp across batches), and that the batches walk the time index once rather than from its start every time.
 */
describe('Retention purge batches (e2e)', () => {
  const suite = useSuiteDatabase();
  const client = () => suite.pg as unknown as PoolClient;
  const cutoff = new Date(Date.now() - 90 * DAY_MS);
  const policy: DatedPolicy = {
    dataClass: 'learning_events',
    table: 'global_learning_events',
    retentionDays: 90,
    description: 'test',
    expired: { column: 'timestamp' },
    userColumn: 'user_id',
    order: 0,
    cutoff,
  };

  beforeEach(async () => {
    await suite.pg.query('TRUNCATE global_learning_events, legal_holds');
  });

  /** `count` events of `userId`, the i-th at `at(i)` (an SQL expression of i). */
  async function events(userId: string, count: number, at: string): Promise<void> {
    await suite.pg.query(
      `INSERT INTO global_learning_events (id, user_id, event_type, module, action, timestamp, received_at, payload, key_id)
       SELECT gen_random_uuid(), $1, 'interaction', 'purge', 'a', ${at}, now(), '\\x00'::bytea, 'test'
         FROM generate_series(1, $2) i`,
      [userId, count],
    );
  }

  const countOf = async (userId: string) =>
    Number(
      (await suite.pg.query('SELECT count(*) AS n FROM global_learning_events WHERE user_id = $1', [userId])).rows[0].n,
    );

  it('deletes every row past the cutoff but a held user’s, newer rows stay, many rows of one timestamp included', async () => {
    const [sameTime, spread, held, fresh] = [newUserId(), newUserId(), newUserId(), newUserId()];
    // More rows of one timestamp than a batch takes: the next batch starts at that timestamp again.
    await events(sameTime, Math.round(PURGE_BATCH * 2.5), `now() - interval '100 days'`);
    await events(spread, 1500, `now() - interval '120 days' + i * interval '1 minute'`);
    await events(held, 300, `now() - interval '110 days' + i * interval '1 second'`);
    await suite.pg.query(
      `INSERT INTO legal_holds (user_id, reason, placed_by, placed_at) VALUES ($1, 'case', 'test', now())`,
      [held],
    );
    await events(fresh, 500, `now() - interval '89 days' + i * interval '1 second'`);

    expect(await purgeInBatches(client(), policy, 0)).toBe(2500 + 1500);
    expect([await countOf(sameTime), await countOf(spread), await countOf(held), await countOf(fresh)]).toEqual([
      0, 0, 300, 500,
    ]);
    // A second purge finds nothing.
    expect(await purgeInBatches(client(), policy, 0)).toBe(0);
  });

  it('walks the time index once: no scan of the table, index blocks read in proportion to the rows purged', async () => {
    const rows = 40 * PURGE_BATCH;
    await events(newUserId(), rows, `now() - interval '120 days' + i * interval '1 second'`);
    await events(newUserId(), 1000, `now() - interval '1 day' + i * interval '1 second'`);
    await suite.pg.query(
      `INSERT INTO legal_holds (user_id, reason, placed_by, placed_at) VALUES ($1, 'case', 'test', now())`,
      [newUserId()],
    );
    await suite.pg.query('VACUUM ANALYZE global_learning_events');
    // This connection's counters reach the shared statistics when it next goes idle: its own inserts, and then the
    // purge's batches, are flushed before each reading.
    const counters = async () => {
      await suite.pg.query('SELECT pg_stat_force_next_flush()');
      await suite.pg.query('SELECT pg_stat_clear_snapshot()');
      const { rows: stats } = await suite.pg.query(
        `SELECT i.idx_blks_hit + i.idx_blks_read AS blocks, pg_relation_size(i.indexrelid) / current_setting('block_size')::int AS size,
                t.seq_scan AS scans
           FROM pg_statio_user_indexes i JOIN pg_stat_user_tables t ON t.relid = i.relid
          WHERE i.indexrelname = $1`,
        [TIME_INDEX],
      );
      return { blocks: Number(stats[0].blocks), size: Number(stats[0].size), scans: Number(stats[0].scans) };
    };
    const before = await counters();
    expect(await purgeInBatches(client(), policy, 0)).toBe(rows);
    const after = await counters();
    expect(after.scans - before.scans).toBe(0);
    // Each of the 41 batches descends the index and reads the leaves of its own 1,000 entries, about three times the
    // index's size in all; batches that each start from the beginning read some 20 times its size.
    expect(after.blocks - before.blocks).toBeGreaterThan(0);
    expect(after.blocks - before.blocks).toBeLessThan(4 * before.size);
  });
});
