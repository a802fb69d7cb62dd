import { Migration } from '@mikro-orm/migrations';

/** Patterns (issue 6): `global_patterns`, one row per (type, module, signature), and the `mining_runs` history. */
export class Migration20261125011041 extends Migration {
  override name = 'Migration20261125011041';

  override up(): void | Promise<void> {
    this
      .addSql(`create table "global_patterns" ("id" uuid not null, "pattern_type" varchar(32) not null, "module" varchar(64) not null, "signature" varchar(512) not null, "items" jsonb not null, "support" int not null, "occurrences" bigint not null, "confidence" double precision null, "lift" double precision null, "stats" jsonb null, "first_seen" timestamptz not null, "last_seen" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "run_id" uuid not null, "status" varchar(16) not null, "retired_at" timestamptz null, primary key ("id"),
      constraint "global_patterns_status_check" check ("status" in ('active', 'retired')),
      constraint "global_patterns_support_check" check ("support" >= 0 and "occurrences" >= 0),
      constraint "global_patterns_retired_check" check (("status" = 'retired') = ("retired_at" is not null)));`);
    this.addSql(`create index "global_patterns_status_support_index" on "global_patterns" ("status", "support");`);
    this.addSql(`create index "global_patterns_status_last_seen_index" on "global_patterns" ("status", "last_seen");`);
    this.addSql(
      `create index "global_patterns_module_pattern_type_index" on "global_patterns" ("module", "pattern_type");`,
    );
    this.addSql(
      `alter table "global_patterns" add constraint "global_patterns_pattern_type_module_signature_unique" unique ("pattern_type", "module", "signature");`,
    );

    this
      .addSql(`create table "mining_runs" ("id" uuid not null, "trigger" varchar(16) not null, "requested_by" varchar(128) null, "window_from" timestamptz not null, "window_to" timestamptz not null, "min_user_support" int not null, "started_at" timestamptz not null, "finished_at" timestamptz null, "duration_ms" int null, "status" varchar(16) not null, "miners" jsonb null, "error" varchar(1024) null, primary key ("id"),
      constraint "mining_runs_trigger_check" check ("trigger" in ('schedule', 'manual')),
      constraint "mining_runs_status_check" check ("status" in ('running', 'succeeded', 'partial', 'failed')));`);
    this.addSql(`create index "mining_runs_started_at_index" on "mining_runs" ("started_at");`);
    this.addSql(`create index "mining_runs_status_index" on "mining_runs" ("status");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "global_patterns" cascade;`);
    this.addSql(`drop table if exists "mining_runs" cascade;`);
  }
}
