import { Client } from 'pg';
import { createSuiteDatabase } from '../setup/test-database';
import { createTestApp, type TestApp, type TestAppOptions } from './test-app';

export interface Suite {
  db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  /** The application under test. */
  t: TestApp;
  /** A direct connection to the suite's database, for assertions on stored rows. */
  pg: Client;
}

/**
 * Registers beforeAll/afterAll for a suite with its own database (copied from the migrated template), the app
 * booted on it, and a plain client to inspect the tables. Read the fields inside tests (they are set by beforeAll).
 */
export function useSuite(options: Omit<TestAppOptions, 'databaseUrl'> = {}): Suite {
  const suite = {} as Suite;
  beforeAll(async () => {
    suite.db = await createSuiteDatabase();
    suite.t = await createTestApp({ ...options, databaseUrl: suite.db.url });
    suite.pg = new Client({ connectionString: suite.db.url });
    // Outage tests terminate every backend of the database, this one included; that must not crash the run.
    suite.pg.on('error', () => undefined);
    await suite.pg.connect();
  });
  afterAll(async () => {
    await suite.pg?.end();
    await suite.t?.close();
    await suite.db?.drop();
  });
  return suite;
}

export interface DatabaseSuite {
  db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  /** A direct connection to the suite's database. */
  pg: Client;
}

/** Registers beforeAll/afterAll for a suite that needs its own database and a plain client, but boots no app itself. */
export function useSuiteDatabase(): DatabaseSuite {
  const suite = {} as DatabaseSuite;
  beforeAll(async () => {
    suite.db = await createSuiteDatabase();
    suite.pg = new Client({ connectionString: suite.db.url });
    suite.pg.on('error', () => undefined);
    await suite.pg.connect();
  });
  afterAll(async () => {
    await suite.pg?.end();
    await suite.db?.drop();
  });
  return suite;
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
