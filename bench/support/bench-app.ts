import { JwtService } from '@nestjs/jwt';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../src/app.module';
import { configureApp, createFastifyAdapter } from '../../src/app.setup';
import type { Role } from '../../src/common/auth/auth-user';
import type { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { TokenService } from '../../src/modules/auth/token.service';

export interface BenchApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  token(sub: string, roles: Role[]): string;
  close(): Promise<void>;
}

/** The real application, listening on a loopback port, against `databaseUrl`, logging warnings only. */
export async function startBenchApp(databaseUrl: string, env: Record<string, string> = {}): Promise<BenchApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-app-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    THROTTLE_LIMIT: '1000000',
    LEARNING_USER_QUOTA_EVENTS: '100000000',
    LEARNING_USER_QUOTA_BYTES: String(100 * 1024 ** 3),
    ...env,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    createFastifyAdapter(config),
    { logger: ['warn', 'error'], bodyParser: false },
  );
  await configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const tokens = new TokenService(new JwtService(), config);
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${address.port}`,
    token: (sub, roles) => tokens.sign(sub, roles, 3600).accessToken,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
