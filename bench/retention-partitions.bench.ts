/**
 * `npm run bench:retention-partitions`: the two ways to purge raw events older than 90 days, measured on the same
 * data (BENCH_RETENTION_EVENTS, 1,000,000 events over 120 days), without any load:
 *  - the batched DELETE the service uses (1,000-row ctid batches on the time index, no rests here);
 *  - a copy of the table partitioned by month: DETACH and DROP of every partition wholly past the cutoff, then the
 *    same batched DELETE in the partition that straddles it.
 * Prints each one's time and the table size before and after (a DELETE leaves the space to VACUUM; a DROP returns it).
 * Uses BENCH_DATABASE_URL or an embedded PostgreSQL in a temp folder.
 */
import { Client } from 'pg';
import { openBenchDatabase, runBench } from './support/bench-database';
import { reportFigures } from './support/results';

const EVENTS = Number(process.env.BENCH_RETENTION_EVENTS ?? 1_000_000);
const BATCH = 1000;

async function main(): Promise<void> {
  const db = await openBenchDatabase('partitions', 2);
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const q = (sql: string, params: unknown[] = []) => pg.query(sql, params);
  const size = async (table: string) =>
    Number((await q(`SELECT pg_total_relation_size($1::regclass) AS b`, [table])).rows[0].b) / 1024 / 1024;
  const timed = async (work: () => Promise<unknown>) => {
    const t = performance.now();
    await work();
    return (performance.now() - t) / 1000;
  };
  try {
    await q(
      `INSERT INTO global_learning_events (id, user_id, event_type, module, action, timestamp, received_at, payload, key_id)
       SELECT gen_random_uuid(), md5((g % 1000)::text)::uuid, 'interaction', 'm' || (g % 5), 'a' || (g % 20),
              now() - interval '120 days' + g * (interval '120 days' / $1), now(), '\\x00'::bytea, 'bench'
         FROM generate_series(0, $1 - 1) g`,
      [EVENTS],
    );
    // The partitioned copy: same columns and indexes, one partition per calendar month.
    await q(
      `CREATE TABLE events_by_month (LIKE global_learning_events INCLUDING DEFAULTS) PARTITION BY RANGE (timestamp)`,
    );
    const months = (
      await q(
        `SELECT generate_series(date_trunc('month', now() - interval '121 days'), date_trunc('month', now()), interval '1 month') AS m`,
      )
    ).rows as { m: Date }[];
    for (const [i, { m }] of months.entries()) {
      await q(
        `CREATE TABLE events_by_month_${i} PARTITION OF events_by_month FOR VALUES FROM ('${m.toISOString()}') TO ('${new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1)).toISOString()}')`,
      );
    }
    await q(`CREATE INDEX ON events_by_month (timestamp)`);
    await q(`CREATE INDEX ON events_by_month (user_id, id)`);
    await q(`CREATE INDEX ON events_by_month (module, timestamp)`);
    await q(`INSERT INTO events_by_month SELECT * FROM global_learning_events`);
    await q('VACUUM ANALYZE global_learning_events');
    await q('VACUUM ANALYZE events_by_month');
    const cutoff = (await q(`SELECT now() - interval '90 days' AS c`)).rows[0].c as Date;
    const old = Number(
      (await q(`SELECT count(*) AS n FROM global_learning_events WHERE timestamp < $1`, [cutoff])).rows[0].n,
    );
    console.log(
      `data set: ${EVENTS.toLocaleString('en')} events over 120 days, ${old.toLocaleString('en')} older than the cutoff; ${months.length} monthly partitions`,
    );

    const batched = async (table: string) => {
      let total = 0;
      for (;;) {
        const n =
          (
            await q(
              `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE timestamp < $1 LIMIT ${BATCH}))`,
              [cutoff],
            )
          ).rowCount ?? 0;
        total += n;
        if (n === 0) return total;
      }
    };

    const plainBefore = await size('global_learning_events');
    let plainRows = 0;
    const plainSeconds = await timed(async () => (plainRows = await batched('global_learning_events')));
    const plainAfter = await size('global_learning_events');

    const partitionsSize = async () =>
      Number(
        (
          await q(
            `SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) AS b FROM pg_inherits WHERE inhparent = 'events_by_month'::regclass`,
          )
        ).rows[0].b,
      ) /
      1024 /
      1024;
    const partBefore = await partitionsSize();
    let dropped = 0;
    let straddling = 0;
    const partSeconds = await timed(async () => {
      const parts = (
        await q(
          `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events_by_month'::regclass`,
        )
      ).rows as { relname: string; bound: string }[];
      for (const part of parts) {
        const lower = new Date(/FROM \('([^']+)'\)/.exec(part.bound)![1]);
        const upper = new Date(/TO \('([^']+)'\)/.exec(part.bound)![1]);
        if (upper <= cutoff) {
          dropped += Number((await q(`SELECT count(*) AS n FROM ${part.relname}`)).rows[0].n);
          await q(`ALTER TABLE events_by_month DETACH PARTITION ${part.relname}`);
          await q(`DROP TABLE ${part.relname}`);
        } else if (lower < cutoff) {
          // ctid is only unique within one partition: the straddling month is deleted from directly.
          straddling += await batched(part.relname);
        }
      }
    });
    const partAfter = await partitionsSize();

    console.log('');
    console.log('| purge of events older than 90 days | rows | seconds | table MB before → after |');
    console.log('| --- | ---: | ---: | --- |');
    console.log(
      `| batched DELETE (1,000 rows a statement) | ${plainRows.toLocaleString('en')} | ${plainSeconds.toFixed(2)} | ${plainBefore.toFixed(0)} → ${plainAfter.toFixed(0)} |`,
    );
    console.log(
      `| monthly partitions: DETACH + DROP, then batched DELETE in the straddling month | ${(dropped + straddling).toLocaleString('en')} (${dropped.toLocaleString('en')} dropped) | ${partSeconds.toFixed(2)} | ${partBefore.toFixed(0)} → ${partAfter.toFixed(0)} |`,
    );
    if (plainRows !== old || dropped + straddling !== old) process.exitCode = 1;
    reportFigures('retention layout (npm run bench:retention-partitions)', [
      {
        measure: `batched DELETE of ${plainRows.toLocaleString('en')} events`,
        value: plainSeconds,
        unit: 's',
        baseline: { name: 'monthly partitions (DETACH + DROP)', value: partSeconds },
      },
    ]);
  } finally {
    await pg.end();
    await db.close();
  }
}

runBench(main);
