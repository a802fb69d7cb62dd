/**
 * Configuration for the MikroORM CLI (`npm run migration:create | migration:up | migration:down`). The
 * application builds the same options through `buildOrmOptions`. Without DATABASE_URL the CLI uses the embedded
 * PostgreSQL in DATA_DIR — attaching to the one `npm start` runs, or starting it for the command's duration.
 */
import { loadConfig, readEnvironment } from './src/config/load-config';
import { resolveDatabase } from './src/database/database-runtime';
import { buildOrmOptions } from './src/database/orm-options';
import { ENTITIES } from './src/entities';

async function cliOptions() {
  const config = loadConfig(readEnvironment(), { generateDevSecrets: true });
  const quiet = { log: () => undefined, debug: () => undefined, warn: (m: string) => process.stderr.write(`${m}\n`) };
  const database = await resolveDatabase(config, quiet);
  return buildOrmOptions({
    url: database.url,
    replicaUrl: config.database.replicaUrl,
    poolMax: 2,
    entities: [...ENTITIES],
  });
}

export default cliOptions();
