/**
 * `npm run bench:retention-partitions`: should raw events live in time partitions? Measured on the same
 * BENCH_PARTITION_EVENTS (10,000,000) events of 250,000 users over 120 days, in three copies of the same table:
 *  - the table as the service has it, purged as the service purges (1,000-row DELETE batches walking the time index,
 *    each followed by a rest twice as long as it took, at most 200 ms; legal holds respected);
 *  - a copy of it purged as the service did before (each batch from the start of the time index);
 *  - a copy partitioned by calendar month (keys extended by the partition column, as PostgreSQL requires), purged by
 *    DETACH PARTITION CONCURRENTLY + DROP of every month wholly past the cutoff (when no held user has rows there)
 *    and the same batched DELETE in the month that straddles it.
 * On each, an open-loop ingest load (BENCH_PARTITION_RATE statements a second of 20 new events each, the table's
 * conflict clause included) runs for 15 s alone, then during a purge of the oldest month (DATA_RETENTION_DAYS 90:
 * the 30 oldest days), then during the next day's purge (the steady state of a daily schedule). Prints purge time and
 * the ingest p50 / p99 / max of each phase, per layout. Autovacuum is off on the copies; each layout starts after
 * VACUUM and a checkpoint, so that none measures the cleanup of another's purge. Uses BENCH_DATABASE_URL or an
 * embedded PostgreSQL.
 */
import { Pool } from 'pg';
import { LearningRetention } from '../src/modules/learning/learning-retention';
import { MAX_REST_MS, notHeld, PURGE_BATCH, purgeInBatches } from '../src/modules/retention/batched-purge';
import { openBenchDatabase, runBench } from './support/bench-database';
import { percentile } from './support/percentile';
import { reportFigures } from './support/results';
import { seedEvents } from './support/seed-events';

const EVENTS = Number(process.env.BENCH_PARTITION_EVENTS ?? 10_000_000);
const USERS = Number(process.env.BENCH_PARTITION_USERS ?? EVENTS / 40);
const DAYS = 120;
const RETENTION_DAYS = 90;
const RATE = Number(process.env.BENCH_PARTITION_RATE ?? 50);
const ROWS_PER_STATEMENT = 20;
const BASELINE_SECONDS = 15;
const DAY_MS = 86_400_000;

interface Layout {
  name: string;
  table: string;
  conflict: string;
  purge: (pool: Pool, cutoff: Date) => Promise<PurgeResult>;
}

interface PurgeResult {
  deleted: number;
  dropped: number;
  /** The purge's own time (the load runs from before it starts to after it ends). */
  purgeSeconds?: number;
}

interface Phase {
  seconds: number;
  statements: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/** The learning events' retention policy, as the learning module contributes it. */
const [learningEvents] = new LearningRetention({
  learning: { retentionDays: RETENTION_DAYS },
}).retentionPolicies();

/** The service's purge (`purgeInBatches`) of the events past `cutoff` in `table`. */
async function servicePurge(pool: Pool, table: string, cutoff: Date): Promise<number> {
  const client = await pool.connect();
  try {
    return await purgeInBatches(client, { ...learningEvents, table, cutoff });
  } finally {
    client.release();
  }
}

/**
 * The purge as the service did it before: the same batches and rests, but each batch selected afresh from the start
 * (legal holds as an anti-join), stepping over every row deleted so far.
 */
async function purgeFromTheStart(pool: Pool, table: string, cutoff: Date): Promise<number> {
  const statement = `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT t.ctid FROM ${table} t WHERE t.timestamp < $1 AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.user_id = t.user_id) LIMIT $2))`;
  let total = 0;
  for (;;) {
    const started = performance.now();
    const deleted = (await pool.query(statement, [cutoff, PURGE_BATCH])).rowCount ?? 0;
    total += deleted;
    if (deleted === 0) return total;
    await new Promise((r) => setTimeout(r, Math.min(MAX_REST_MS, 2 * (performance.now() - started))));
  }
}

/** Every month wholly past the cutoff dropped (unless a held user has rows there), the straddling one deleted from. */
async function partitionPurge(pool: Pool, cutoff: Date): Promise<PurgeResult> {
  const { rows: parts } = await pool.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'events_by_month'::regclass ORDER BY c.relname`,
  );
  let deleted = 0;
  let dropped = 0;
  for (const part of parts) {
    const lower = new Date(/FROM \('([^']+)'\)/.exec(part.bound)![1]);
    const upper = new Date(/TO \('([^']+)'\)/.exec(part.bound)![1]);
    if (lower >= cutoff) continue;
    const held = await pool.query(`SELECT 1 FROM ${part.name} t WHERE NOT (${notHeld(learningEvents)}) LIMIT 1`);
    if (upper <= cutoff && held.rowCount === 0) {
      dropped += Number((await pool.query(`SELECT count(*) AS n FROM ${part.name}`)).rows[0].n);
      await pool.query(`ALTER TABLE events_by_month DETACH PARTITION ${part.name} CONCURRENTLY`);
      await pool.query(`DROP TABLE ${part.name}`);
    } else {
      // ctid is unique only within one partition: the batches delete from the partition itself.
      deleted += await servicePurge(pool, part.name, cutoff);
    }
  }
  return { deleted, dropped };
}

/**
 * An open-loop load: statement i is due at start + i / RATE, its latency runs from then to its answer (time waiting
 * for one of the pool's connections counts). Runs until `until` resolves (and at least `minSeconds`).
 */
async function ingestLoad(pool: Pool, layout: Layout, until: Promise<unknown>, minSeconds: number): Promise<Phase> {
  const statement = `INSERT INTO ${layout.table} (id, user_id, event_type, module, action, session_id, client_event_id, timestamp, received_at, payload, key_id)
    SELECT gen_random_uuid(), md5('u' || floor(random() * $1)::int)::uuid, 'interaction', 'm1', 'a01', 'live',
           gen_random_uuid()::text, now(), now(), decode(repeat(md5(random()::text), 10), 'hex'), 'bench'
      FROM generate_series(1, ${ROWS_PER_STATEMENT})
    ON CONFLICT ${layout.conflict} DO NOTHING`;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let errors = 0;
  let done = false;
  void until.then(() => (done = true));
  const start = performance.now();
  const minEnd = start + minSeconds * 1000;
  let sent = 0;
  while (!done || performance.now() < minEnd) {
    const now = performance.now();
    while (start + (sent * 1000) / RATE <= now) {
      const due = start + (sent * 1000) / RATE;
      sent += 1;
      pending.push(
        pool.query(statement, [USERS]).then(
          () => void latencies.push(performance.now() - due),
          () => void (errors += 1),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(pending);
  await until;
  latencies.sort((a, b) => a - b);
  return {
    seconds: (performance.now() - start) / 1000,
    statements: sent,
    errors,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
  };
}

/** The partitioned copy: one partition per calendar month from before the oldest event to two months ahead. */
async function createPartitionedCopy(pool: Pool): Promise<number> {
  await pool.query(
    `CREATE TABLE events_by_month (LIKE global_learning_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (timestamp)`,
  );
  const { rows: months } = await pool.query<{ m: Date }>(
    `SELECT generate_series(date_trunc('month', now() - interval '${DAYS + 1} days'), date_trunc('month', now()) + interval '2 months', interval '1 month') AS m`,
  );
  for (const { m } of months) {
    const next = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1));
    const name = `events_by_month_${m.toISOString().slice(0, 7).replace('-', '_')}`;
    await pool.query(
      `CREATE TABLE ${name} PARTITION OF events_by_month FOR VALUES FROM ('${m.toISOString()}') TO ('${next.toISOString()}')`,
    );
  }
  await pool.query(`INSERT INTO events_by_month SELECT * FROM global_learning_events`);
  // A second copy of the table as it is, for the purge as it was (each batch from the start of the index).
  await pool.query(`CREATE TABLE events_before (LIKE global_learning_events INCLUDING ALL)`);
  await pool.query(`INSERT INTO events_before SELECT * FROM global_learning_events`);
  await pool.query(`ALTER TABLE events_by_month ADD PRIMARY KEY (user_id, id, timestamp)`);
  await pool.query(`CREATE UNIQUE INDEX ON events_by_month (user_id, client_event_id, timestamp)`);
  for (const columns of ['id', 'timestamp', 'event_type', 'module, timestamp'])
    await pool.query(`CREATE INDEX ON events_by_month (${columns})`);
  return months.length;
}

async function main(): Promise<void> {
  const db = await openBenchDatabase('partitions', 2);
  const pool = new Pool({ connectionString: db.url, max: 6 });
  const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    (await pool.query(sql, params)).rows as T[];
  try {
    await seedEvents(q, EVENTS, USERS, DAYS);
    process.stderr.write('  building the partitioned copy\n');
    const months = await createPartitionedCopy(pool);
    // No autovacuum on the three copies during the phases (one layout's purge would start it during the next one's):
    // each is vacuumed, and a checkpoint taken, before the next layout runs.
    const tables = (
      await q<{ name: string }>(
        `SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND (relname IN ('global_learning_events', 'events_before') OR relname LIKE 'events_by_month_%')`,
      )
    ).map((r) => r.name);
    for (const table of tables) await q(`ALTER TABLE ${table} SET (autovacuum_enabled = off)`);
    const settle = async () => {
      for (const table of ['global_learning_events', 'events_by_month', 'events_before'])
        await q(`VACUUM ANALYZE ${table}`);
      await q('CHECKPOINT');
    };
    await settle();
    const layouts: Layout[] = [
      {
        name: 'one table, batches from the start of the index (before)',
        table: 'events_before',
        conflict: '(user_id, client_event_id)',
        purge: async (p, cutoff) => ({ deleted: await purgeFromTheStart(p, 'events_before', cutoff), dropped: 0 }),
      },
      {
        name: 'one table, keyset batches (the service now)',
        table: 'global_learning_events',
        conflict: '(user_id, client_event_id)',
        purge: async (p, cutoff) => ({ deleted: await servicePurge(p, 'global_learning_events', cutoff), dropped: 0 }),
      },
      {
        name: 'monthly partitions: DETACH + DROP, keyset batches in the straddling month',
        table: 'events_by_month',
        conflict: '(user_id, client_event_id, timestamp)',
        purge: partitionPurge,
      },
    ];
    const cutoff = new Date(Date.now() - RETENTION_DAYS * DAY_MS);
    const results: { layout: Layout; baseline: Phase; month: Phase & PurgeResult; day: Phase & PurgeResult }[] = [];
    for (const layout of layouts) {
      process.stderr.write(`  ${layout.name}\n`);
      const baseline = await ingestLoad(pool, layout, Promise.resolve(), BASELINE_SECONDS);
      const purged = async (at: Date) => {
        let result: PurgeResult = { deleted: 0, dropped: 0 };
        const started = performance.now();
        const purge = layout
          .purge(pool, at)
          .then((r) => (result = { ...r, purgeSeconds: (performance.now() - started) / 1000 }));
        const phase = await ingestLoad(pool, layout, purge, 1);
        return { ...phase, ...result };
      };
      const month = await purged(cutoff);
      const day = await purged(new Date(cutoff.getTime() + DAY_MS));
      results.push({ layout, baseline, month, day });
      await settle();
    }

    const ms = (v: number) => v.toFixed(1);
    console.log(
      `\n${EVENTS.toLocaleString('en')} events of ${USERS.toLocaleString('en')} users over ${DAYS} days; ${months} monthly partitions; ` +
        `ingest ${RATE} statements/s of ${ROWS_PER_STATEMENT} events (open loop)\n`,
    );
    console.log(
      '| layout | phase | purge s | rows deleted | rows dropped | ingest p50 ms | p99 ms | max ms | p99 / alone |',
    );
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const { layout, baseline, month, day } of results) {
      console.log(
        `| ${layout.name} | ingest alone | – | – | – | ${ms(baseline.p50)} | ${ms(baseline.p99)} | ${ms(baseline.max)} | 1.0× |`,
      );
      for (const [phase, r] of [
        ['purge of the oldest month', month],
        ['purge of the next day', day],
      ] as const)
        console.log(
          `| ${layout.name} | ${phase} | ${r.purgeSeconds!.toFixed(2)} | ${r.deleted.toLocaleString('en')} | ${r.dropped.toLocaleString('en')} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${(r.p99 / baseline.p99).toFixed(1)}× |`,
        );
    }
    const errors = results.reduce((n, r) => n + r.baseline.errors + r.month.errors + r.day.errors, 0);
    if (errors > 0) {
      console.error(`${errors} ingest statements failed`);
      process.exitCode = 1;
    }
    const [, plain, parts] = results;
    reportFigures('retention layout (npm run bench:retention-partitions)', [
      {
        measure: `purge of the oldest month of ${EVENTS.toLocaleString('en')} events, monthly partitions`,
        value: parts.month.purgeSeconds!,
        unit: 's',
        baseline: { name: 'one table, keyset batches', value: plain.month.purgeSeconds! },
      },
      {
        measure: 'ingest p99 during that purge / alone, monthly partitions',
        value: parts.month.p99 / parts.baseline.p99,
        unit: '×',
        baseline: { name: 'one table', value: plain.month.p99 / plain.baseline.p99 },
        // A smaller table's purge lasts a second or two: its p99 rests on a few dozen statements.
        ...(EVENTS >= 10_000_000 ? { target: '≤ 2×', met: parts.month.p99 / parts.baseline.p99 <= 2 } : {}),
      },
    ]);
  } finally {
    await pool.end();
    await db.close();
  }
}

runBench(main);
