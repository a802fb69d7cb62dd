import { MikroORM } from '@mikro-orm/postgresql';
import { AdvisoryLockService } from '../../src/database/advisory-lock.service';
import { buildOrmOptions } from '../../src/database/orm-options';
import { createSuiteDatabase } from '../setup/test-database';

describe(`${AdvisoryLockService.name} (e2e)`, () => {
  let db: Awaited<ReturnType<typeof createSuiteDatabase>>;
  let orms: MikroORM[];

  beforeAll(async () => {
    db = await createSuiteDatabase();
    // Two ORMs stand for two instances: separate pools on one database.
    orms = await Promise.all([1, 2].map(() => MikroORM.init(buildOrmOptions({ url: db.url, poolMax: 2 }))));
  });
  afterAll(async () => {
    await Promise.all(orms.map((o) => o.close(true)));
    await db.drop();
  });

  it('runs the work on one instance while the other skips, then lets the next run take the lock', async () => {
    const [a, b] = orms.map((o) => new AdvisoryLockService(o.em));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = a.runExclusive('job:test', async () => {
      await held;
      return 'first';
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(await b.runExclusive('job:test', async () => 'second')).toEqual({ acquired: false });
    expect(await b.runExclusive('job:other', async () => 'other')).toEqual({ acquired: true, result: 'other' });
    release();
    expect(await first).toEqual({ acquired: true, result: 'first' });
    expect(await b.runExclusive('job:test', async () => 'again')).toEqual({ acquired: true, result: 'again' });
  });

  it('releases the lock when the work fails', async () => {
    const [a, b] = orms.map((o) => new AdvisoryLockService(o.em));
    await expect(a.runExclusive('job:fails', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await b.runExclusive('job:fails', async () => 'ok')).toEqual({ acquired: true, result: 'ok' });
  });
});
