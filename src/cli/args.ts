import { parseArgs } from 'node:util';

/** `--name x --roles a,b` style options for the small CLIs; unknown options are an error. */
export function readOptions<K extends string>(names: readonly K[], argv = process.argv.slice(2)): Partial<Record<K, string>> {
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
