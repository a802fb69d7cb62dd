import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Each module touches only its own tables: its SQL names its own tables and views, the views other modules publish
 * for it, and nothing else. The owner of a table or view is the module whose entities/ define it.
 */
const PUBLIC_VIEWS = new Set(['consenting_users', 'consented_learning_events', 'published_patterns']);

/**
 * The deliberate exceptions, each with its reason. Ingestion's one statement checks consent and the data key under
 * row locks in the same transaction as the insert — the atomicity every consent promise rests on.
 */
const ALLOWED: Record<string, string[]> = {
  learning: ['user_privacy_settings', 'user_data_keys'],
};

const MODULES = join(__dirname);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function owners(): Map<string, string> {
  const map = new Map<string, string>();
  for (const module of readdirSync(MODULES, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const file of sourceFiles(join(MODULES, module.name)).filter((f) => f.includes('/entities/'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/tableName: '([a-z_]+)'/g))
        map.set(match[1], module.name);
    }
  }
  return map;
}

describe('Table ownership', () => {
  it('finds every module naming only its own tables, public views and its listed exceptions', () => {
    const tables = owners();
    expect(tables.size).toBeGreaterThan(15);
    const foreign: string[] = [];
    for (const module of readdirSync(MODULES, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      for (const file of sourceFiles(join(MODULES, module.name))) {
        const text = readFileSync(file, 'utf8');
        for (const [table, owner] of tables) {
          if (owner === module.name || PUBLIC_VIEWS.has(table) || ALLOWED[module.name]?.includes(table)) continue;
          if (new RegExp(`\\b${table}\\b`).test(text))
            foreign.push(`${relative(MODULES, file)} names ${table} (${owner}'s)`);
        }
      }
    }
    expect(foreign).toEqual([]);
  });
});
