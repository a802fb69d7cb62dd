import type { ChildProcess } from 'node:child_process';
import { fork, spawn } from 'node:child_process';
import { join } from 'node:path';

/** Polls `url` until it answers 2xx; fails when the process exits first or after 60 s. */
export async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after 60 s`);
}

/** SIGTERM, resolved when the process has exited. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Forks a compiled helper script that sends a message once it listens (CPU-profiled when BENCH_PROFILE_DIR is set). */
export async function forkReady(script: string, args: string[]): Promise<ChildProcess> {
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const child = fork(script, args, { stdio: 'inherit', execArgv: profile });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return child;
}

/** What a load-generating child process answers (see `runLoadProcess`). */
export type LoadMessage<Result> =
  { type: 'measuring' } | { type: 'result'; result: Result } | { type: 'failed'; message: string };

/**
 * Runs a load generator in a process of its own: `script` receives `spec` over IPC, answers `measuring` when its
 * warm-up ends and then its result. The generator then shares nothing with the benchmark's own process, whose heap
 * (database clients, ORM, prepared data, sometimes a whole application) makes full collections that would hold its
 * sends back; its collector runs on its own thread only, as helper threads would take the measured server's cores in
 * bursts.
 */
export async function runLoadProcess<Result>(
  script: string,
  spec: unknown,
  onMeasureStart?: () => void,
): Promise<Result> {
  const child = fork(script, [], { stdio: 'inherit', execArgv: ['--single-threaded-gc'] });
  try {
    return await new Promise<Result>((resolve, reject) => {
      child.on('message', (message: LoadMessage<Result>) => {
        if (message.type === 'measuring') onMeasureStart?.();
        else if (message.type === 'result') resolve(message.result);
        else reject(new Error(`the load generator failed: ${message.message}`));
      });
      child.once('exit', (code) => reject(new Error(`the load generator exited with ${code}`)));
      child.send(spec as object);
    });
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/** The child's side of `runLoadProcess`: runs `work` on the spec it receives and answers. */
export function serveLoadProcess<Spec, Result>(work: (spec: Spec, measuring: () => void) => Promise<Result>): void {
  const send = (message: LoadMessage<Result>) => process.send?.(message);
  process.once('message', (spec: Spec) => {
    work(spec, () => send({ type: 'measuring' })).then(
      (result) => send({ type: 'result', result }),
      (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/**
 * The built service (`dist/src/main.js`) in a process of its own, in development mode on loopback, with the settings
 * every benchmark shares (warn-level JSON logs, no schedules, no Redis, rate limits out of the way) and `env` over
 * them; resolves once `/health/ready` answers. CPU-profiled when BENCH_PROFILE_DIR is set.
 */
export async function startService(options: {
  port: number;
  databaseUrl: string;
  dataDir: string;
  env: Record<string, string>;
}): Promise<ChildProcess> {
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const service = spawn(process.execPath, [...profile, join(__dirname, '..', '..', 'src', 'main.js')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      DATA_DIR: options.dataDir,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      THROTTLE_LIMIT: '1000000',
      THROTTLE_TTL_SECONDS: '1',
      PATTERNS_CRON: 'off',
      RETENTION_CRON: 'off',
      REDIS_URL: '',
      ...options.env,
    },
  });
  await waitReady(`http://127.0.0.1:${options.port}/health/ready`, service);
  return service;
}
