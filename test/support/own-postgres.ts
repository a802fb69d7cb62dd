import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from '../../src/database/free-port';

/** The bin folder of the newest installed PostgreSQL server (initdb, pg_ctl), or null when none is installed. */
export function findPgServerBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions)
    if (existsSync(join(root, v, 'bin', 'pg_ctl')) && existsSync(join(root, v, 'bin', 'initdb')))
      return join(root, v, 'bin');
  return null;
}

/**
 * A PostgreSQL server of the test's own, from the installed binaries, in a temporary folder: a test can crash it
 * (`pg_ctl stop -m immediate`: no shutdown checkpoint, crash recovery at the next start) and start it again on the
 * same port. As root, the server runs as the `postgres` user (PostgreSQL refuses root).
 */
export class OwnPostgres {
  private readonly dir: string;
  private readonly data: string;
  port = 0;

  constructor(private readonly bin: string) {
    this.dir = mkdtempSync('/tmp/own-pg-');
    chmodSync(this.dir, 0o755);
    this.data = join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/chaos`;
  }

  async init(): Promise<void> {
    await this.prepare();
    this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    this.start();
    this.sql('CREATE DATABASE chaos', 'postgres');
  }

  /**
   * A streaming replica of `primary` (hot standby): a base backup taken with pg_basebackup (`-R` writes the
   * standby settings), started on a port of its own. It replays the primary's WAL as it streams in.
   */
  async initReplicaOf(primary: OwnPostgres): Promise<void> {
    await this.prepare();
    this.run('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
      ...['-D', this.data, '-R', '-X', 'stream', '-c', 'fast'],
    ]);
    this.start();
  }

  /** Runs one SQL statement with psql in `database` (default: the test database) and answers its output. */
  sql(statement: string, database = 'chaos'): string {
    const args = ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-d', database];
    return this.run('psql', [...args, '-Atqc', statement]).stdout.trim();
  }

  /** A clean stop (the server can be started again). */
  stop(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  private async prepare(): Promise<void> {
    this.port = await findFreePort();
    if (process.getuid?.() === 0) {
      const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
      chownSync(this.dir, uid, gid);
    }
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
    this.run('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  }

  /** An immediate stop: every backend killed at once, no checkpoint; the next start runs crash recovery. */
  crash(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  destroy(): void {
    if (existsSync(join(this.data, 'postmaster.pid')))
      this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop'], false);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(tool: string, args: string[], check = true): SpawnSyncReturns<string> {
    const command = join(this.bin, tool);
    const asRoot = process.getuid?.() === 0;
    const result = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', cwd: '/tmp' })
      : spawnSync(command, args, { encoding: 'utf8' });
    if (check && result.status !== 0)
      throw new Error(`${tool} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    return result;
  }
}
