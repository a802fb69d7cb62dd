/**
 * `npm run seed:demo`: loads a small, seeded data set into the database the service uses (DATABASE_URL, else the
 * embedded PostgreSQL in DATA_DIR — run it before `npm start`, which then uses the same data) and runs a mining pass,
 * so the pattern API has something to show at once. 240 consenting users, about 4,000 events over the last 30 days
 * with planted patterns (sequences, corrections, feedback, a reported workflow) among random activity. Running it
 * again adds nothing (the events carry fixed client event ids) and mines again.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { AuthUser } from '../common/auth/auth-user';
import { loadConfig, readEnvironment } from '../config/load-config';
import { resolveDatabase } from '../database/database-runtime';
import { ConsentLedgerService } from '../modules/consent/consent-ledger.service';
import { LearningIngestService } from '../modules/learning/learning-ingest.service';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { INSIGHTS_GENERATED, type InsightsGeneratedEvent } from '../modules/insights/generation.service';
import { InsightsReadService } from '../modules/insights/insights-read.service';
import { MiningService } from '../modules/patterns/mining.service';
import { PatternsReadService } from '../modules/patterns/patterns-read.service';
import { AppModule } from '../app.module';
import { fail } from './args';
import { buildDemoEvents, DEMO_USERS } from './demo-data';

const BATCH = 500;

function progress(label: string, done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round((done / total) * 100)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
  else if (done === total || done % (BATCH * 4) === 0) process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig(readEnvironment(), { generateDevSecrets: true });
  if (config.isProduction) fail('npm run seed:demo loads demo data; it refuses to run with NODE_ENV=production');
  config.log.level = 'warn';
  config.patterns.cron = null;
  const quiet = {
    log: (m: string) => process.stderr.write(`${m}\n`),
    debug: () => undefined,
    warn: (m: string) => process.stderr.write(`${m}\n`),
  };
  const database = await resolveDatabase(config, quiet);
  config.database.url = database.url;
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    await app.init();
    const caller: AuthUser = { sub: 'seed-demo', roles: ['service'] };
    const ledger = app.get(ConsentLedgerService);
    for (let i = 0; i < DEMO_USERS.length; i++) {
      await ledger.change(DEMO_USERS[i], { allowCollectiveLearning: true, policyVersion: 'demo-1' }, caller, false);
      progress('consent', i + 1, DEMO_USERS.length);
    }
    const events = buildDemoEvents(Date.now());
    const ingest = app.get(LearningIngestService);
    let accepted = 0;
    let duplicates = 0;
    for (let i = 0; i < events.length; i += BATCH) {
      const result = await ingest.ingestBatch(events.slice(i, i + BATCH), caller);
      if (result.rejected > 0)
        throw new Error(`demo events rejected: ${JSON.stringify(result.results.find((r) => r.status === 'rejected'))}`);
      accepted += result.accepted;
      duplicates += result.duplicates;
      progress('events ', Math.min(i + BATCH, events.length), events.length);
    }
    process.stderr.write(`stored ${accepted} events (${duplicates} already there)\n`);

    // The finished mining run starts an insight generation by itself; wait for it too.
    const generated = new Promise<InsightsGeneratedEvent>((resolve) =>
      app.get(EventEmitter2).once(INSIGHTS_GENERATED, resolve),
    );
    const start = await app.get(MiningService).start('manual', 'seed:demo');
    if (!start.started) fail('a mining run is already in progress; try again when it has finished');
    const run = await start.finished;
    process.stdout.write(`\nmining run ${run.runId}: ${run.status} in ${run.durationMs} ms\n`);
    for (const m of run.report)
      process.stdout.write(
        `  ${m.miner.padEnd(14)} ${String(m.published).padStart(4)} published${m.error ? `  (error: ${m.error})` : ''}\n`,
      );
    const top = await app.get(PatternsReadService).list({ status: 'active', sort: 'support', limit: 5 });
    process.stdout.write('\nmost supported patterns:\n');
    for (const p of top.items)
      process.stdout.write(
        `  ${p.type.padEnd(14)} ${p.module.padEnd(8)} support ${String(p.support).padStart(3)}  ${JSON.stringify(p.items)}\n`,
      );
    // No generation follows a failed mining run.
    const insights =
      run.status === 'failed'
        ? null
        : await Promise.race([
            generated,
            new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000).unref()),
          ]);
    if (insights) {
      const found = JSON.parse(await app.get(InsightsReadService).listJson({ status: 'active', limit: 8 })) as {
        items: { type: string; title: string }[];
      };
      process.stdout.write(`\ninsight generation ${insights.runId}: ${insights.status}; most significant insights:\n`);
      for (const i of found.items) process.stdout.write(`  ${i.type.padEnd(14)} ${i.title}\n`);
    }
    process.stdout.write('\nnext: npm start, then see "A first look" in the README for requests to try\n');
  } finally {
    await app.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`seed:demo failed: ${(error as Error).message}\n`);
  process.exit(1);
});
