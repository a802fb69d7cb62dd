import { Migration } from '@mikro-orm/migrations';

/** A pattern's occurrences may be withheld by the publication gate (they would have shown a small cell): null. */
export class Migration20261206180000 extends Migration {
  override name = 'Migration20261206180000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "global_patterns" alter column "occurrences" drop not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`update "global_patterns" set "occurrences" = "support" where "occurrences" is null;`);
    this.addSql(`alter table "global_patterns" alter column "occurrences" set not null;`);
  }
}
