import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentVariables } from './env.schema';

const root = join(__dirname, '..', '..');

/** Every setting the schema reads, by name (its own properties, defaults included, plus the optional ones). */
function settings(): string[] {
  const source = readFileSync(join(__dirname, 'env.schema.ts'), 'utf8');
  const declared = [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+)\??[:=\s]/gm)].map((m) => m[1]);
  return [...new Set([...declared, ...Object.keys(new EnvironmentVariables())])].sort();
}

describe('Settings are documented', () => {
  it('names every setting of the schema in docs/configuration.md and .env.example', () => {
    const docs = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const names = settings();
    expect(names.length).toBeGreaterThan(40);
    expect(names.filter((n) => !docs.includes(`\`${n}\``))).toEqual([]);
    expect(names.filter((n) => !new RegExp(`^#? ?${n}=`, 'm').test(example))).toEqual([]);
  });
});
