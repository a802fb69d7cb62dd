/** `npm run client:revoke -- --id <client id>`: revokes an API client; its tokens fail within a second everywhere. */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig, readEnvironment } from '../config/load-config';
import { resolveDatabase } from '../database/database-runtime';
import { ApiClientsService } from '../modules/auth/api-clients.service';
import { fail, readOptions } from './args';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  const id = readOptions(['id'] as const)
    .id?.trim()
    .toLowerCase();
  if (!id) fail('usage: npm run client:revoke -- --id <client id>');
  const config = loadConfig(readEnvironment(), { generateDevSecrets: true });
  config.log.level = 'warn';
  const quiet = { log: () => undefined, debug: () => undefined, warn: (m: string) => process.stderr.write(`${m}\n`) };
  const database = await resolveDatabase(config, quiet);
  config.database.url = database.url;
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    if (!(await app.get(ApiClientsService).revoke(id, 'cli'))) fail(`no active API client has the id ${id}`);
    process.stdout.write(`revoked: ${id} (its tokens fail within a second on every instance)\n`);
  } finally {
    await app.close();
    await database.stop();
  }
}

void main();
