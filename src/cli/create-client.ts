/** `npm run client:create -- --name NAME --roles service[,admin]`: prints the new client's id and secret once. */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DomainError } from '../common/errors/domain.error';
import { loadConfig, readEnvironment } from '../config/load-config';
import { resolveDatabase } from '../database/database-runtime';
import { ApiClientsService } from '../modules/auth/api-clients.service';
import { fail, parseRoles, readOptions } from './args';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  const opts = readOptions(['name', 'roles'] as const);
  const name = opts.name?.trim();
  if (!name || !/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/.test(name))
    fail('usage: npm run client:create -- --name <1-100 chars: letters, digits, space _ . -> --roles service[,admin]');
  const roles = parseRoles(opts.roles ?? 'service');

  const config = loadConfig(readEnvironment(), { generateDevSecrets: true });
  config.log.level = 'warn';
  const quiet = { log: () => undefined, debug: () => undefined, warn: (m: string) => process.stderr.write(`${m}\n`) };
  const database = await resolveDatabase(config, quiet);
  config.database.url = database.url;
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const client = await app.get(ApiClientsService).create(name, roles, 'cli');
    process.stdout.write(
      `clientId:     ${client.id}\nclientSecret: ${client.secret}\nroles:        ${client.roles.join(',')}\n(the secret is shown only now; store it safely)\n`,
    );
  } catch (error) {
    if (error instanceof DomainError) fail(error.message);
    throw error;
  } finally {
    await app.close();
    await database.stop();
  }
}

void main();
