import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOG, renderErrorsPage } from './error-catalog';

const ROOT = join(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('error catalog', () => {
  it('names every problem code the source answers with, once', () => {
    const codes = new Set(ERROR_CATALOG.map((e) => e.code));
    expect(codes.size).toBe(ERROR_CATALOG.length);
    const used = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'src')))
      for (const match of readFileSync(file, 'utf8').matchAll(/'([A-Z]+(?:_[A-Z]+)*\.[A-Z]+(?:_[A-Z]+)*|INTERNAL)'/g))
        used.add(match[1]);
    expect([...used].filter((code) => !codes.has(code)).sort()).toEqual([]);
  });

  it('gives every code a status, a meaning and what to do', () => {
    for (const e of ERROR_CATALOG) {
      expect(e.status).toMatch(/^[1-5]\d\d$/);
      expect(e.meaning.length).toBeGreaterThan(10);
      expect(e.action.length).toBeGreaterThan(10);
    }
  });

  it('is what docs/errors.md says (regenerate it with npm run docs:errors)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8')).toBe(renderErrorsPage());
  });
});
