import { Migration } from '@mikro-orm/migrations';

/** A withdrawal's cut-off: events received before it are never mined again, even after a new grant. */
export class Migration20261125030000 extends Migration {
  override name = 'Migration20261125030000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "user_privacy_settings" add column "mining_excluded_before" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "user_privacy_settings" drop column "mining_excluded_before";`);
  }
}
