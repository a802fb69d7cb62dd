import { Migration } from '@mikro-orm/migrations';

/** Retention: the history of purges and the legal holds that keep a user's data. */
export class Migration20261125050000 extends Migration {
  override name = 'Migration20261125050000';

  override up(): void | Promise<void> {
    this
      .addSql(`create table "retention_runs" ("id" uuid not null, "trigger" varchar(16) not null, "requested_by" varchar(128) null, "dry_run" boolean not null, "cutoffs" jsonb not null, "counts" jsonb null, "started_at" timestamptz not null, "finished_at" timestamptz null, "duration_ms" int null, "status" varchar(16) not null, "error" varchar(1024) null, primary key ("id"),
      constraint "retention_runs_status_check" check ("status" in ('running', 'succeeded', 'partial', 'failed')));`);
    this.addSql(`create index "retention_runs_started_at_index" on "retention_runs" ("started_at");`);
    this.addSql(`create index "retention_runs_status_index" on "retention_runs" ("status");`);
    this.addSql(
      `create table "legal_holds" ("user_id" uuid not null, "reason" varchar(500) not null, "placed_by" varchar(200) not null, "placed_at" timestamptz not null, primary key ("user_id"));`,
    );
    // The patterns purge walks it in time order.
    this.addSql(`create index "global_patterns_last_seen_index" on "global_patterns" ("last_seen");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index if exists "global_patterns_last_seen_index";`);
    this.addSql(`drop table if exists "legal_holds";`);
    this.addSql(`drop table if exists "retention_runs";`);
  }
}
