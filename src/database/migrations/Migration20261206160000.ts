import { Migration } from '@mikro-orm/migrations';

/**
 * The same bound on an insight's significance, written so that the entity's check and the stored one compare equal
 * (the schema test): PostgreSQL stores `>= 0` on a double column as `>= (0)::double precision`, which the ORM's
 * introspection does not read back whole; through `numeric` it does.
 */
export class Migration20261206160000 extends Migration {
  override name = 'Migration20261206160000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "collective_insights" drop constraint "collective_insights_significance_check";`);
    this.addSql(
      `alter table "collective_insights" add constraint "collective_insights_significance_check" check ("significance"::numeric >= 0 and "significance"::numeric <= 1 and "support" >= 0);`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "collective_insights" drop constraint "collective_insights_significance_check";`);
    this.addSql(
      `alter table "collective_insights" add constraint "collective_insights_significance_check" check ("significance" >= 0 and "significance" <= 1 and "support" >= 0);`,
    );
  }
}
