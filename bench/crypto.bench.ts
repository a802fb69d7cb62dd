/**
 * `npm run bench:crypto`: field-encryption throughput for 1 KB payloads with a warm data-key cache, and the cost
 * of a cold data-key fetch (database read + unwrap) and of creating a user's first key. One process, one
 * thread: every figure is for one core. Uses BENCH_DATABASE_URL (a server; a throwaway database is created)
 * or an embedded PostgreSQL in a temp folder.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { SqlPool } from '../src/database/sql-pool.service';
import { DataKeyEvictionBus } from '../src/modules/crypto/data-key-eviction.bus';
import { DataKeyService } from '../src/modules/crypto/data-key.service';
import { DataKeyStore } from '../src/modules/crypto/data-key.store';
import { FieldEncryptionService } from '../src/modules/crypto/field-encryption.service';
import { KeyRing } from '../src/modules/crypto/key-ring';
import { openBenchDatabase } from './support/bench-database';
import { percentile } from './support/percentile';
import { reportFigures } from './support/results';
import { oneKeyConfig } from '../test/support/crypto-config';

const PAYLOAD_BYTES = 1024;
const WARM_SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const COLD_USERS = Number(process.env.BENCH_COLD_USERS ?? 2_000);

const config = oneKeyConfig(100_000, 3600);

function opsPerSecond(seconds: number, op: () => void): number {
  for (let i = 0; i < 20_000; i++) op(); // warm up the JIT
  let n = 0;
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 1_000; i++) op();
    n += 1_000;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function asyncOpsPerSecond(seconds: number, op: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 5_000; i++) await op();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 500; i++) await op();
    n += 500;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Runs `op` once per item, one after another; returns each call's latency in ms, sorted ascending. */
async function latenciesMs<T>(items: T[], op: (item: T) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (const item of items) {
    const t0 = process.hrtime.bigint();
    await op(item);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(3)} ms`;

async function main(): Promise<void> {
  const db = await openBenchDatabase('crypto');
  try {
    const sql = new SqlPool(db.orm.em);
    const store = new DataKeyStore(sql);
    const keyRing = new KeyRing(config);
    const newService = () => new DataKeyService(store, keyRing, new DataKeyEvictionBus(null), config);
    const encryption = new FieldEncryptionService(newService());

    const userId = randomUUID();
    const place = { table: 'global_learning_events', rowId: randomUUID(), userId, field: 'data' };
    const payload = randomBytes(PAYLOAD_BYTES);
    const cipher = await encryption.cipherFor(userId, { create: true });
    const sealed = cipher.seal(place, payload);

    const encrypt = opsPerSecond(WARM_SECONDS, () => void cipher.seal(place, payload));
    const decrypt = opsPerSecond(WARM_SECONDS, () => void cipher.open(place, sealed));
    const roundTrip = opsPerSecond(WARM_SECONDS, () => void cipher.open(place, cipher.seal(place, payload)));
    const serviceRoundTrip = await asyncOpsPerSecond(WARM_SECONDS, async () => {
      await encryption.decrypt(place, await encryption.encrypt(place, payload));
    });

    // First key of a user: generate, wrap, INSERT … ON CONFLICT.
    const users = Array.from({ length: COLD_USERS }, () => randomUUID());
    const creator = newService();
    const createTimes = await latenciesMs(users, (u) => creator.getOrCreate(u));
    // Cold fetch: a fresh service (empty cache) reads and unwraps each key once.
    const reader = newService();
    const coldTimes = await latenciesMs(users, (u) => reader.find(u));

    reportFigures('crypto (npm run bench:crypto)', [
      { measure: 'warm encrypt + decrypt round trips', value: roundTrip, unit: 'round trips/s' },
      { measure: 'cold data-key fetch p99', value: percentile(coldTimes, 99), unit: 'ms' },
    ]);
    const lines = [
      `crypto benchmark — Node ${process.version}, 1 thread, payload ${PAYLOAD_BYTES} bytes, ${WARM_SECONDS} s per warm figure`,
      `warm encrypt (UserCipher.seal)                 ${fmt(encrypt)} ops/s`,
      `warm decrypt (UserCipher.open)                 ${fmt(decrypt)} ops/s`,
      `warm encrypt+decrypt round trip                ${fmt(roundTrip)} round trips/s = ${fmt(roundTrip * 2)} operations/s`,
      `warm round trip via FieldEncryptionService     ${fmt(serviceRoundTrip)} round trips/s (async API, cache lookup per call)`,
      `cold data-key fetch (SELECT + unwrap), n=${COLD_USERS}  p50 ${ms(percentile(coldTimes, 50))}  p99 ${ms(percentile(coldTimes, 99))}`,
      `first data key of a user (wrap + INSERT)        p50 ${ms(percentile(createTimes, 50))}  p99 ${ms(percentile(createTimes, 99))}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:crypto failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
