import { Migration } from '@mikro-orm/migrations';

/** Scheduled jobs: one claim per job and scheduled time, so a tick runs on one instance only. */
export class Migration20261125060000 extends Migration {
  override name = 'Migration20261125060000';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "scheduled_slots" ("job" varchar(64) not null, "slot" timestamptz not null, "claimed_by" varchar(128) not null, "claimed_at" timestamptz not null default now(), primary key ("job", "slot"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "scheduled_slots";`);
  }
}
