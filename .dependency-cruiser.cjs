/**
 * The architecture, as rules (`npm run lint:deps`, run in CI). Layers from the bottom: config, common, the
 * infrastructure (database, redis, cache, observability), feature modules (src/modules/<name>), and the composition
 * root (app.module, app.setup, main, cluster, cli). A module reaches another only through what that module exports
 * for it (services, errors, types, DTOs); never its entities, repositories or SQL. Cycles between module folders
 * are checked by scripts/check-module-cycles.mjs (this tool's own cycle rules see files, or every sub-folder apart).
 */
const INFRASTRUCTURE = '^src/(database|redis|cache|observability)/';
const COMPOSITION = '^src/(app\\.module|app\\.setup|main|cluster|entities|foundation)\\.ts$|^src/cli/';

module.exports = {
  forbidden: [
    {
      name: 'config-is-the-bottom',
      comment: 'config/ reads and validates settings; it imports nothing of ours above it.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/config/' },
    },
    {
      name: 'common-imports-nothing-above-it',
      comment: 'common/ holds what every layer uses; it imports config/ and itself only.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/(common|config)/' },
    },
    {
      name: 'infrastructure-imports-no-feature',
      comment: 'database/, redis/, cache/ and observability/ serve the modules; they import none of them.',
      severity: 'error',
      from: { path: INFRASTRUCTURE },
      to: { path: `^src/modules/|${COMPOSITION}` },
    },
    {
      name: 'modules-do-not-import-the-composition-root',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: COMPOSITION },
    },
    {
      name: 'no-foreign-entities-repositories-or-sql',
      comment:
        "A module never imports another module's entities/, repositories or SQL: it calls an exported service, " +
        'listens to an event, or reads a view the owning module creates.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/([^/]+)/(entities/|.*\\.repository\\.ts$|.*\\.store\\.ts$|.*[.-]sql\\.ts$)',
        pathNot: '^src/modules/$1/',
      },
    },
    {
      name: 'no-circular-files',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
