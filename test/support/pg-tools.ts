import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A PostgreSQL client tool (pg_dump, pg_restore) able to work with a server of `serverMajor`: from PATH or any
 * installed PostgreSQL under /usr/lib/postgresql, the newest first. Null when none is installed (the embedded
 * PostgreSQL package ships the server only).
 */
export function findPgTool(tool: 'pg_dump' | 'pg_restore', serverMajor: number): string | null {
  const root = '/usr/lib/postgresql';
  const installed = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(root, v, 'bin', tool))
    : [];
  for (const candidate of [...installed, tool]) {
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    const major = Number(/(\d+)(\.\d+)?/.exec(version.stdout ?? '')?.[1]);
    if (version.status === 0 && major >= serverMajor) return candidate;
  }
  return null;
}
