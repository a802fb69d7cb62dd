import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { WinstonModule } from 'nest-winston';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { ConfigValidationError, loadConfig, readEnvironment } from './config/load-config';
import { resolveDatabase } from './database/database-runtime';
import type { RunningDatabase } from './database/embedded-postgres';
import { createWinstonOptions } from './observability/logger.factory';
import { installProcessGuards } from './observability/process-guards';

async function bootstrap(): Promise<void> {
  const started = Date.now();
  let config;
  try {
    config = loadConfig(readEnvironment(), { generateDevSecrets: true });
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(
        `${error.message}\nSee .env.example and docs/configuration.md; check with: npm run validate:env\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const appLogger = WinstonModule.createLogger(createWinstonOptions(config));
  Logger.overrideLogger(appLogger);
  const logger = new Logger('Bootstrap');
  installProcessGuards();
  if (config.generatedSecrets.length > 0) {
    logger.warn(
      `!!! DEVELOPMENT KEYS IN USE: ${config.generatedSecrets.join(', ')} not set; using keys generated into ${config.dataDir}/dev-secrets.json. ` +
        'Never use them in production (NODE_ENV=production refuses them). !!!',
    );
  }

  const database: RunningDatabase = await resolveDatabase(config, logger);
  config.database.url = database.url;

  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createFastifyAdapter(config), {
      logger: appLogger,
      bodyParser: false,
    });
    await configureApp(app, config);
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    logger.error(`Boot failed: ${(error as Error).message}`);
    await database.stop();
    process.exit(1);
  }
  logger.log(
    `Listening on http://${config.http.host}:${config.http.port} (API /api/v1, docs /docs) after ${Date.now() - started} ms`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining in-flight requests, then stopping`);
    const force = setTimeout(() => {
      logger.error(`Shutdown took longer than ${config.http.shutdownTimeoutMs} ms; exiting`);
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    force.unref();
    try {
      // The HTTP server first: it stops accepting and waits for in-flight requests while the database pool is
      // still open (Nest's own close runs the shutdown hooks, which end the pool, before it closes the server).
      await app.getHttpAdapter().getInstance().close();
      await app.close();
      await database.stop();
      logger.log('Stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error(`Shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal));
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`Boot failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
