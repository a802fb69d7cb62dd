// `npm run lint:deps` (part 2): no cycle between module folders. dependency-cruiser's own cycle rule sees files, and
// its folder scope sees every sub-folder apart (consent/ -> retention/entities/ is not consent/ -> retention/), so
// the module graph is collapsed to src/modules/<name> here and searched for cycles.
import { execFileSync } from 'node:child_process';

const out = execFileSync(
  process.execPath,
  [
    'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs',
    'src',
    '--config',
    '.dependency-cruiser.cjs',
    '--collapse',
    '^src/modules/[^/]+',
    '--output-type',
    'json',
  ],
  { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
);
const modules = JSON.parse(out).modules.filter((m) => /^src\/modules\/[^/]+$/.test(m.source));
const edges = new Map(
  modules.map((m) => [
    m.source,
    [
      ...new Set(
        m.dependencies.map((d) => d.resolved).filter((to) => /^src\/modules\/[^/]+$/.test(to) && to !== m.source),
      ),
    ],
  ]),
);

// Tarjan's strongly connected components: every component of more than one module is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(v) {
  state.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of edges.get(v) ?? []) {
    if (!state.has(w)) {
      visit(w);
      state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
    } else if (state.get(w).onStack) {
      state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
    }
  }
  if (state.get(v).low === state.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  }
}
for (const v of edges.keys()) if (!state.has(v)) visit(v);

if (cycles.length > 0) {
  for (const c of cycles) console.error(`module cycle: ${c.map((m) => m.replace('src/modules/', '')).join(' <-> ')}`);
  process.exit(1);
}
console.log(`no cycles between ${edges.size} module folders`);
