/**
 * `npm run bench:ingest-parts`: where one batch's time goes inside the service (no HTTP): validation, the
 * whole `ingestBatch`, for batches of 100 events over consenting users. It also
 * compares the two bulk paths PostgreSQL offers for the insert: one multi-row INSERT from arrays (what the
 * service uses for small sets) against binary COPY into a staging table followed by INSERT … SELECT (what it uses
 * for batches), both with the same consent check and ON CONFLICT, on identical rows.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../src/common/auth/auth-user';
import { SqlPool } from '../src/database/sql-pool.service';
import { LearningIngestService } from '../src/modules/learning/learning-ingest.service';
import { LearningEventsRepository } from '../src/modules/learning/learning-events.repository';
import { validateEvent } from '../src/modules/learning/learning-event.validator';
import { startBenchApp } from './support/bench-app';
import { openBenchDatabase, runBench } from './support/bench-database';
import { percentile } from './support/percentile';
import { insertPaths } from './support/insert-paths';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);

async function main(): Promise<void> {
  const db = await openBenchDatabase('parts');
  const bench = await startBenchApp(db.url);
  try {
    const service: AuthUser = { sub: 'bench', roles: ['service'] };
    const users = Array.from({ length: 1000 }, () => randomUUID());
    const sql = bench.app.get(SqlPool);
    await sql.query(
      `INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version) SELECT unnest($1::uuid[]), true, 'b'`,
      [users],
    );
    const batch = (b: number) =>
      Array.from({ length: 100 }, (_, i) => ({
        userId: users[(b * 100 + i) % users.length],
        eventType: 'interaction',
        context: { module: 'editor', action: `a${i % 20}`, sessionId: `s-${i % 30}` },
        data: { outcome: 'success', durationMs: i, detail: 'x'.repeat(120) },
      }));
    const ingest = bench.app.get(LearningIngestService);
    for (let b = 0; b < 50; b++) await ingest.ingestBatch(batch(b), service); // warm keys, caches, JIT

    const now = Date.now();
    const ctx = { caller: service, now, oldestMs: now - 90 * 86_400_000 };
    const events = batch(0);
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < ROUNDS * 10; r++) for (const e of events) validateEvent(e, ctx);
    const validateUs = Number(process.hrtime.bigint() - t0) / 1e3 / (ROUNDS * 10 * 100);

    const whole: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t = process.hrtime.bigint();
      await ingest.ingestBatch(batch(r), service);
      whole.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    whole.sort((a, b) => a - b);

    // The two bulk paths on identical rows (fresh ids each round), each row naming its user's stored data key as
    // the write paths check (every user has one after the warm-up).
    const keyIds = new Map(
      (
        await sql.query<{ user_id: string; key_id: string }>(
          'SELECT user_id, key_id FROM user_data_keys WHERE user_id = ANY($1::uuid[])',
          [users],
        )
      ).map((r) => [r.user_id, r.key_id]),
    );
    const rowsOf = (r: number, path: string) =>
      batch(r).map((e, i) => ({
        id: randomUUID(),
        userId: e.userId,
        eventType: 'interaction' as const,
        module: e.context.module,
        action: e.context.action,
        sessionId: e.context.sessionId,
        clientEventId: `${path}-${r}-${i}`,
        timestamp: new Date(),
        labels: null,
        rating: null,
        sentiment: null,
        outcome: 'success',
        signature: null,
        payload: Buffer.alloc(200, 7),
        keyId: keyIds.get(e.userId)!,
      }));
    const repo = bench.app.get(LearningEventsRepository);
    const timed = async (path: string, insert: (rows: ReturnType<typeof rowsOf>) => Promise<unknown>) => {
      const times: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const rows = rowsOf(r, path);
        const t = process.hrtime.bigint();
        await insert(rows);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return times.sort((a, b) => a - b);
    };
    const paths = insertPaths(repo);
    const viaArrays = await timed('arrays', (rows) => paths.insertFromArrays(rows));
    const viaStaged = await timed('staged', (rows) => paths.insertByStagedCopy(rows));
    const viaDirect = await timed('direct', (rows) => paths.insertByDirectCopy(rows));

    const perEvent = (ms: number) => `${((ms * 1000) / 100).toFixed(1)} µs/event`;
    console.log(`validation:                 ${validateUs.toFixed(2)} µs/event`);
    console.log(
      `ingestBatch (100 events):   p50 ${percentile(whole, 50).toFixed(2)} ms (${perEvent(percentile(whole, 50))}), p99 ${percentile(whole, 99).toFixed(2)} ms`,
    );
    console.log(
      `insert, unnest arrays:      p50 ${percentile(viaArrays, 50).toFixed(2)} ms (${perEvent(percentile(viaArrays, 50))}), p99 ${percentile(viaArrays, 99).toFixed(2)} ms`,
    );
    console.log(
      `insert, binary COPY to a staging table + INSERT…SELECT ON CONFLICT: p50 ${percentile(viaStaged, 50).toFixed(2)} ms (${perEvent(percentile(viaStaged, 50))}), p99 ${percentile(viaStaged, 99).toFixed(2)} ms`,
    );
    console.log(
      `insert, consent check + binary COPY into the table: p50 ${percentile(viaDirect, 50).toFixed(2)} ms (${perEvent(percentile(viaDirect, 50))}), p99 ${percentile(viaDirect, 99).toFixed(2)} ms`,
    );
  } finally {
    await bench.close();
    await db.close();
  }
}

runBench(main);
