import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../common/auth/auth-user';

/** `--name x --roles a,b` style options for the small CLIs; unknown options are an error. */
export function readOptions<K extends string>(
  names: readonly K[],
  argv = process.argv.slice(2),
): Partial<Record<K, string>> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  });
  return values as Partial<Record<K, string>>;
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** `user,admin` → roles, exiting with the list of known roles on anything else. */
export function parseRoles(value: string): Role[] {
  const roles = [...new Set(value.split(',').map((r) => r.trim()))];
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) fail(`unknown role(s): ${unknown.join(', ')} (known: ${ROLES.join(', ')})`);
  return roles as Role[];
}
