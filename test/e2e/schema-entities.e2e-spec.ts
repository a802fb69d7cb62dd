import { MikroORM } from '@mikro-orm/postgresql';
import { buildOrmOptions } from '../../src/database/orm-options';
import { ENTITIES } from '../../src/entities';
import { useSuiteDatabase } from '../support/suite';

/**
 * The entity classes describe the schema the migrations make, exactly: the schema generator, asked what it would
 * change in a migrated database to match the entities, has nothing to do. A migration without its entity change (or
 * the other way round) fails here, before `npm run migration:create` would write a surprise.
 */
describe('Entities and migrations agree (e2e)', () => {
  const suite = useSuiteDatabase();

  it('finds no difference between the entity metadata and the migrated schema', async () => {
    const orm = await MikroORM.init(buildOrmOptions({ url: suite.db.url, poolMax: 2, entities: [...ENTITIES] }));
    try {
      const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
      expect(diff.trim()).toBe('');
    } finally {
      await orm.close(true);
    }
  });
});
