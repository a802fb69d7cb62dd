import 'reflect-metadata';
import { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../src/app.module';
import { configureApp, createFastifyAdapter } from '../../src/app.setup';
import type { Role } from '../../src/common/auth/auth-user';
import type { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { TokenService } from '../../src/modules/auth/token.service';

export const TEST_JWT_SECRET = 'e2e-test-secret-that-is-at-least-32-bytes-long';
export const TEST_ENCRYPTION_KEY = '1f'.repeat(32);

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  http: TestAgent;
  token(sub: string, roles: Role[], ttlSeconds?: number): string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  databaseUrl: string;
  env?: Record<string, string>;
  /** Extra modules (e.g. one contributing a pattern miner, as a team's own module would). */
  imports?: Type[];
  /** Extra controllers/providers only tests need (e.g. a route that throws). */
  controllers?: Type[];
  providers?: Type[];
}

/** Boots the real AppModule with the same `configureApp` as main.ts, against the suite's own database. */
export async function createTestApp(options: TestAppOptions): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: options.databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    LOG_LEVEL: 'error',
    LOG_FORMAT: 'json',
    DATA_DIR: '/nonexistent-e2e-data-dir',
    // No Redis and no schedule unless a test asks for them (REDIS_URL, PATTERNS_CRON, RETENTION_CRON in `env`).
    PATTERNS_CRON: 'off',
    RETENTION_CRON: 'off',
    // The heap readiness judges is the test runner's, which holds every suite run before this one (it passes 1 GB
    // late in a full run): no app under test turns unready because of what other suites left. The test of the
    // limit itself sets a small one.
    HEALTH_HEAP_LIMIT_MB: '65536',
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config), ...(options.imports ?? [])],
    controllers: options.controllers ?? [],
    providers: options.providers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config), {
    bodyParser: false,
  });
  await configureApp(app, config);
  try {
    await app.init();
  } catch (error) {
    // A refused boot must not leave pools and connections behind in the test process.
    await app.close().catch(() => undefined);
    throw error;
  }
  await app.getHttpAdapter().getInstance().ready();
  const tokens = new TokenService(new JwtService(), config);
  return {
    app,
    config,
    http: request(app.getHttpServer()),
    token: (sub, roles, ttl) => tokens.sign(sub, roles, ttl).accessToken,
    close: () => app.close(),
  };
}

/** Options for `count` instances of one configuration (e.g. two sharing a database and Redis). */
export function instances(count: number, options: TestAppOptions): TestAppOptions[] {
  return Array.from({ length: count }, () => options);
}

/**
 * Boots one app per options (e.g. two instances sharing a database and Redis), runs `work`, and closes every app
 * that booted — also when a later one fails to boot or `work` throws.
 */
export async function withTestApps<T>(options: TestAppOptions[], work: (apps: TestApp[]) => Promise<T>): Promise<T> {
  const apps: TestApp[] = [];
  try {
    for (const o of options) apps.push(await createTestApp(o));
    return await work(apps);
  } finally {
    await Promise.all(apps.map((a) => a.close()));
  }
}
