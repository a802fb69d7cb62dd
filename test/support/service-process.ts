import { JwtService } from '@nestjs/jwt';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Role } from '../../src/common/auth/auth-user';
import { findFreePort } from '../../src/database/free-port';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from './test-app';

const ROOT = join(__dirname, '../..');

/** Compiles the service as `npm run build` does (incremental), so process tests run what production runs. */
export function buildService(): void {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`build failed:\n${tsc.stdout}\n${tsc.stderr}`);
}

const jwt = new JwtService();

/** A JWT the service processes accept (same secret), for `sub` with `roles`. */
export function serviceToken(sub: string, roles: Role[]): string {
  return jwt.sign({ sub, roles }, { algorithm: 'HS256', expiresIn: 600, secret: TEST_JWT_SECRET });
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * One instance of the built service (`node dist/src/main.js`) in its own process, in production mode, on a free port.
 * Its output is kept for the failure message.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private output = '';
  url = '';

  constructor(private readonly env: Record<string, string>) {}

  async start(timeoutMs = 30_000): Promise<this> {
    const port = await findFreePort();
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        JWT_SECRET: TEST_JWT_SECRET,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        DATABASE_MIGRATE_ON_BOOT: 'false',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`instance exited with ${this.child.exitCode}:\n${this.output}`);
      const ready = await fetch(`${this.url}/health/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready === 200) return this;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`instance not ready after ${timeoutMs} ms:\n${this.output}`);
  }

  get logs(): string {
    return this.output;
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async request(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (metrics)
    }
    return { status: res.status, body, headers: res.headers };
  }

  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}
