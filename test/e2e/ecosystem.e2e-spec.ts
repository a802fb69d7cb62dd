import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

describe('PM2 ecosystem.config.js', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { apps } = require(join(ROOT, 'ecosystem.config.js')) as { apps: Record<string, unknown>[] };

  it('runs the built service in cluster mode, one worker per core unless WEB_CONCURRENCY says otherwise', () => {
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({
      script: 'dist/src/main.js',
      exec_mode: 'cluster',
      instances: process.env.WEB_CONCURRENCY || 'max',
    });
    expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true);
  });

  it('gives the drain more time than SHUTDOWN_TIMEOUT_MS and leaves migrations to the separate step', () => {
    expect(apps[0].kill_timeout).toBeGreaterThan(10_000);
    expect(apps[0].env_production).toMatchObject({ NODE_ENV: 'production', DATABASE_MIGRATE_ON_BOOT: 'false' });
  });
});
