import { Migration } from '@mikro-orm/migrations';

/** Where a mining run or an insight generation read (the streaming replica or the primary), and why not the replica. */
export class Migration20261206200000 extends Migration {
  override name = 'Migration20261206200000';

  override up(): void | Promise<void> {
    for (const table of ['mining_runs', 'insight_runs']) {
      this.addSql(`alter table "${table}"
        add column "read_from" varchar(16) not null default 'primary',
        add column "read_fallback" varchar(256) null,
        add constraint "${table}_read_from_check" check ("read_from" in ('primary', 'replica'));`);
    }
  }

  override down(): void | Promise<void> {
    for (const table of ['mining_runs', 'insight_runs']) {
      this.addSql(`alter table "${table}" drop constraint "${table}_read_from_check",
        drop column "read_from", drop column "read_fallback";`);
    }
  }
}
