import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DomainError } from '../common/errors/domain.error';
import { loadConfig, readEnvironment } from '../config/load-config';
import { resolveDatabase } from '../database/database-runtime';
import { fail } from './args';
import { CliModule } from './cli.module';

/**
 * Runs `work` in the CLI's slice of the application (config, database, audit, auth) against the database the
 * service uses (DATABASE_URL, else the embedded PostgreSQL in DATA_DIR), quietly; a domain error ends the tool with
 * its message.
 */
export async function withCliApp(work: (app: INestApplicationContext) => Promise<void>): Promise<void> {
  const config = loadConfig(readEnvironment(), { generateDevSecrets: true });
  config.log.level = 'warn';
  const quiet = { log: () => undefined, debug: () => undefined, warn: (m: string) => process.stderr.write(`${m}\n`) };
  const database = await resolveDatabase(config, quiet);
  config.database.url = database.url;
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    await work(app);
  } catch (error) {
    if (error instanceof DomainError) fail(error.message);
    throw error;
  } finally {
    await app.close();
    await database.stop();
  }
}
