import { Client } from 'pg';
import { createSuiteDatabase } from '../setup/test-database';
import { createTestApp, type TestApp, type TestAppOptions } from './test-app';

export interface DatabaseSuite {
  db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  /** A direct connection to the suite's database, for assertions on stored rows. */
  pg: Client;
}

export interface Suite extends DatabaseSuite {
  /** The application under test. */
  t: TestApp;
}

export interface AppsSuite extends DatabaseSuite {
  /** The instances under test, in the order of their options. */
  apps: TestApp[];
}

/**
 * Registers beforeAll/afterAll for a suite with its own database (copied from the migrated template) and a plain
 * client to inspect the tables; `boot` then starts what else the suite runs on that database, and `shut` stops it
 * before the database is dropped. Read the fields inside tests (they are set by beforeAll).
 */
function registerSuite<S extends DatabaseSuite>(
  boot: (suite: S) => Promise<void> = async () => undefined,
  shut: (suite: S) => Promise<void> = async () => undefined,
): S {
  const suite = {} as S;
  beforeAll(async () => {
    suite.db = await createSuiteDatabase();
    suite.pg = new Client({ connectionString: suite.db.url });
    // Outage tests terminate every backend of the database, this one included; that must not crash the run.
    suite.pg.on('error', () => undefined);
    await suite.pg.connect();
    await boot(suite);
  });
  afterAll(async () => {
    await suite.pg?.end();
    await shut(suite);
    await suite.db?.drop();
  });
  return suite;
}

/** A suite with its own database and a plain client (see registerSuite), and the app booted on that database. */
export function useSuite(options: Omit<TestAppOptions, 'databaseUrl'> = {}): Suite {
  return registerSuite<Suite>(
    async (suite) => {
      suite.t = await createTestApp({ ...options, databaseUrl: suite.db.url });
    },
    async (suite) => {
      await suite.t?.close();
    },
  );
}

/** A suite that needs its own database and a plain client, but boots no app itself. */
export function useSuiteDatabase(): DatabaseSuite {
  return registerSuite<DatabaseSuite>();
}

/**
 * A suite with its own database and a plain client, and one app per options booted on that database (e.g. two
 * instances sharing it and Redis); every app that booted is closed afterwards, also when a later one fails to boot.
 */
export function useSuiteApps(options: Omit<TestAppOptions, 'databaseUrl'>[]): AppsSuite {
  return registerSuite<AppsSuite>(
    async (suite) => {
      suite.apps = [];
      for (const o of options) suite.apps.push(await createTestApp({ ...o, databaseUrl: suite.db.url }));
    },
    async (suite) => {
      await Promise.all((suite.apps ?? []).map((a) => a.close()));
    },
  );
}

/**
 * Runs `work` with a BEFORE INSERT trigger on global_learning_events whose PL/pgSQL `body` sees NEW (e.g. sleeps or
 * raises for one client event id), so a test can hold a write open or make it fail midway; drops it afterwards.
 */
export async function withInsertTrigger<T>(pg: Client, body: string, work: () => Promise<T>): Promise<T> {
  const name = `test_trigger_${Math.random().toString(36).slice(2, 10)}`;
  await pg.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} RETURN NEW; END $$`);
  await pg.query(
    `CREATE TRIGGER ${name} BEFORE INSERT ON global_learning_events FOR EACH ROW EXECUTE FUNCTION ${name}()`,
  );
  try {
    return await work();
  } finally {
    await pg.query(`DROP TRIGGER ${name} ON global_learning_events`);
    await pg.query(`DROP FUNCTION ${name}()`);
  }
}
