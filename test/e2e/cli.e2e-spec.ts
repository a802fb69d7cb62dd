import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildService } from '../support/service-process';
import { useSuiteDatabase } from '../support/suite';

const TSX = join(__dirname, '../../node_modules/.bin/tsx');

function run(script: string, env: Record<string, string>, args: string[] = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cli-'));
  // A clean environment: only PATH and what the test gives, so the developer's own settings cannot leak in.
  return spawnSync(
    TSX,
    ['--tsconfig', join(__dirname, '../../tsconfig.json'), join(__dirname, '../../src/cli', script), ...args],
    {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, ...env },
      cwd: dataDir,
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
}

describe('Command-line tools (e2e)', () => {
  const suite = useSuiteDatabase();

  it('validate:env lists every problem and exits non-zero; production refuses missing DATABASE_URL and a short secret', () => {
    const res = run('validate-env.ts', { NODE_ENV: 'production', JWT_SECRET: 'short', PORT: 'x' });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/Invalid configuration \(4 problems\)/);
    expect(res.stderr).toMatch(/PORT/);
    expect(res.stderr).toMatch(/DATABASE_URL is required in production/);
    expect(res.stderr).toMatch(/JWT_SECRET must be at least 32 bytes/);
    expect(res.stderr).toMatch(/ENCRYPTION_KEY or ENCRYPTION_KEYS is required/);
  });

  it('validate:env passes a complete environment', () => {
    const res = run('validate-env.ts', {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/x',
      JWT_SECRET: 'p'.repeat(40),
      ENCRYPTION_KEY: 'ab'.repeat(32),
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^Configuration OK/);
  });

  it('token mints a usable development token and is refused in production', () => {
    const ok = run('mint-token.ts', { JWT_SECRET: 'd'.repeat(40) }, [
      '--sub',
      '0193a9b4-0000-7000-8000-000000000001',
      '--roles',
      'user',
    ]);
    expect(ok.status).toBe(0);
    const claims = JSON.parse(Buffer.from(ok.stdout.trim().split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({
      sub: '0193a9b4-0000-7000-8000-000000000001',
      roles: ['user'],
      exp: expect.any(Number),
    });
    const prod = run(
      'mint-token.ts',
      {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/x',
        JWT_SECRET: 'p'.repeat(40),
        ENCRYPTION_KEY: 'ab'.repeat(32),
      },
      ['--sub', 'x'],
    );
    expect(prod.status).toBe(2);
    expect(prod.stderr).toMatch(/for development/);
  });

  it('client:create prints a new client once, and client:revoke revokes it (the built tools, as npm runs them)', () => {
    // Nest's injection needs the decorator metadata tsc emits (tsx does not): run the compiled tools.
    buildService();
    const env = { DATABASE_URL: suite.db.url, JWT_SECRET: 'd'.repeat(40), ENCRYPTION_KEY: 'ab'.repeat(32) };
    const built = (tool: string, args: string[]) =>
      spawnSync(process.execPath, [join(__dirname, '../../dist/src/cli', tool), ...args], {
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const created = built('create-client.js', ['--name', 'cli-made', '--roles', 'service']);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const id = /clientId:\s+(\S+)/.exec(created.stdout)?.[1];
    expect(created.stdout).toMatch(/clientSecret:\s+\S{20,}/);
    const revoked = built('revoke-client.js', ['--id', id!]);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toContain(`revoked: ${id}`);
    const again = built('revoke-client.js', ['--id', id!]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/no active API client/);
  }, 120_000);
});
