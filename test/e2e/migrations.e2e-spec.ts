import { MikroORM } from '@mikro-orm/postgresql';
import { buildOrmOptions } from '../../src/database/orm-options';
import { migrateUnderLock } from '../../src/database/migration-runner';
import { adminQuery, withDatabase } from '../setup/test-database';
import { MIGRATIONS } from '../../src/database/migrations';

describe('Migrations at boot (e2e)', () => {
  const name = `test_migrate_${process.pid}_${Date.now().toString(36)}`;
  afterAll(() => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));

  it('applies every migration once when several instances boot at the same moment', async () => {
    await adminQuery(`CREATE DATABASE "${name}"`);
    const url = withDatabase(process.env.E2E_ADMIN_DATABASE_URL!, name);
    const orms = await Promise.all([1, 2, 3].map(() => MikroORM.init(buildOrmOptions({ url, poolMax: 3 }))));
    try {
      const applied = await Promise.all(orms.map((orm) => migrateUnderLock(orm)));
      expect(applied.flat()).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await orms[0].migrator.getPending()).toEqual([]);
      const [{ n }] = await orms[0].em
        .getConnection()
        .execute<{ n: number }[]>('SELECT count(*)::int AS n FROM mikro_orm_migrations');
      expect(n).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all(orms.map((orm) => orm.close(true)));
    }
  });

  it('can roll every migration back down and up again', async () => {
    const url = withDatabase(process.env.E2E_ADMIN_DATABASE_URL!, name);
    const orm = await MikroORM.init(buildOrmOptions({ url, poolMax: 2 }));
    try {
      await orm.migrator.down({ to: 0 });
      const [{ n }] = await orm.em
        .getConnection()
        .execute<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('audit_log', 'api_clients')`,
        );
      expect(n).toBe(0);
      await orm.migrator.up();
      expect(await orm.migrator.getPending()).toEqual([]);
    } finally {
      await orm.close(true);
    }
  });
});
