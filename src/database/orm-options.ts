import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations';

export interface OrmConnectionSettings {
  url: string;
  replicaUrl?: string;
  poolMax?: number;
  /**
   * Entity classes to discover. The application leaves this out (each module registers its own with `forFeature`
   * and the Nest integration collects them); the migration CLI passes the whole schema's (`src/entities.ts`).
   */
  entities?: Options['entities'];
}

/** Migrations live in the project (generated into /tmp they fail to resolve @mikro-orm/migrations). */
export const MIGRATIONS_PATH_TS = join(__dirname, 'migrations');

/** The one MikroORM configuration, shared by the application and the CLI (`mikro-orm.config.ts`). */
export function buildOrmOptions(settings: OrmConnectionSettings): Options {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: settings.url,
    replicas: settings.replicaUrl ? [{ name: 'replica', clientUrl: settings.replicaUrl }] : undefined,
    // Only what asks for the replica reads it (analytics runs and exports, through ReplicaRouter). MikroORM would
    // otherwise send every find and count outside a transaction there, and the service would not read its own
    // writes: a client just created, a revocation, a key rotation, the migrations at boot.
    preferReadReplicas: false,
    pool: { min: 0, max: settings.poolMax ?? 10, idleTimeoutMillis: 30_000 },
    driverOptions: { connectionTimeoutMillis: 5_000 },
    entities: settings.entities ?? [],
    discovery: { warnWhenNoEntities: false },
    // The PL/pgSQL functions of the consent and key checks are written in their migrations, not mirrored in entity
    // metadata: the schema generator must leave them alone.
    schemaGenerator: { ignoreRoutines: true },
    extensions: [Migrator],
    migrations: {
      path: MIGRATIONS_PATH_TS,
      pathTs: MIGRATIONS_PATH_TS,
      glob: '!(*.d|index).{js,ts}',
      migrationsList: MIGRATIONS.map((m) => ({ name: m.name, class: m })),
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      snapshot: false,
      silent: true,
    },
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
    debug: false,
  });
}
