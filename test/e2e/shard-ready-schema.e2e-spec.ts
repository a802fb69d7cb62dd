import { useSuiteDatabase } from '../support/suite';

/**
 * The plan for Citus (docs/scaling.md): every table of the migrated schema is either distributed by its user column,
 * a reference table (small, on every node), or kept on the coordinator. A new migration that adds a table must place
 * it here, and one that gives a distributed table a key or unique constraint without the user column fails.
 */
const DISTRIBUTED_BY: Record<string, string> = {
  global_learning_events: 'user_id',
  user_privacy_settings: 'user_id',
  user_data_keys: 'user_id',
  legal_holds: 'user_id',
  consent_records: 'subject',
};
const REFERENCE = ['api_clients', 'crypto_system_keys', 'key_rotations', 'shredded_data_keys'];
const COORDINATOR = [
  'global_patterns',
  'collective_insights',
  'mining_runs',
  'insight_runs',
  'retention_runs',
  'privacy_budget_spends',
  'privacy_erasures',
  'audit_log',
  'scheduled_slots',
  'mikro_orm_migrations',
];

describe('A schema ready to shard by user (e2e)', () => {
  const suite = useSuiteDatabase();

  it('places every table: distributed by user, reference, or on the coordinator', async () => {
    const { rows } = await suite.pg.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    const placed = [...Object.keys(DISTRIBUTED_BY), ...REFERENCE, ...COORDINATOR].sort();
    expect(rows.map((r) => r.name)).toEqual(placed);
  });

  it('keys every primary key and unique constraint or index of a distributed table by its user column', async () => {
    const { rows } = await suite.pg.query<{ table: string; name: string; columns: string[] }>(
      `SELECT c.relname AS table, i.relname AS name,
              array(SELECT a.attname FROM unnest(x.indkey) k JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k) AS columns
         FROM pg_index x
         JOIN pg_class c ON c.oid = x.indrelid
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND x.indisunique AND c.relname = ANY($1)`,
      [Object.keys(DISTRIBUTED_BY)],
    );
    // Every distributed table has at least its primary key here.
    expect(new Set(rows.map((r) => r.table))).toEqual(new Set(Object.keys(DISTRIBUTED_BY)));
    const withoutUser = rows.filter((r) => !r.columns.includes(DISTRIBUTED_BY[r.table]));
    expect(withoutUser).toEqual([]);
  });
});
