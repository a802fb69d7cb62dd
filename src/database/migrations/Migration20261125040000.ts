import { Migration } from '@mikro-orm/migrations';

/** Collective insights and the runs that generate them. */
export class Migration20261125040000 extends Migration {
  override name = 'Migration20261125040000';

  override up(): void | Promise<void> {
    this
      .addSql(`create table "collective_insights" ("id" uuid not null, "insight_type" varchar(32) not null, "module" varchar(64) not null, "key" varchar(256) not null, "title" varchar(512) not null, "metric" varchar(64) not null, "value" double precision not null, "baseline" double precision null, "change" double precision null, "significance" double precision not null, "support" int not null, "period_from" timestamptz not null, "period_to" timestamptz not null, "evidence" jsonb not null, "stats" jsonb null, "noised" boolean not null, "run_id" uuid not null, "status" varchar(16) not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "expires_at" timestamptz not null, "withdrawn_at" timestamptz null, primary key ("id"),
      constraint "collective_insights_status_check" check ("status" in ('active', 'withdrawn')),
      constraint "collective_insights_withdrawn_check" check (("status" = 'withdrawn') = ("withdrawn_at" is not null)),
      constraint "collective_insights_significance_check" check ("significance" >= 0 and "significance" <= 1 and "support" >= 0));`);
    this.addSql(
      `create index "collective_insights_status_significance_index" on "collective_insights" ("status", "significance");`,
    );
    this.addSql(
      `create index "collective_insights_module_insight_type_index" on "collective_insights" ("module", "insight_type");`,
    );
    this.addSql(`create index "collective_insights_expires_at_index" on "collective_insights" ("expires_at");`);
    this.addSql(
      `alter table "collective_insights" add constraint "collective_insights_insight_type_module_key_unique" unique ("insight_type", "module", "key");`,
    );
    this
      .addSql(`create table "insight_runs" ("id" uuid not null, "trigger" varchar(16) not null, "requested_by" varchar(128) null, "period_from" timestamptz not null, "period_to" timestamptz not null, "started_at" timestamptz not null, "finished_at" timestamptz null, "duration_ms" int null, "status" varchar(16) not null, "generators" jsonb null, "error" varchar(1024) null, primary key ("id"),
      constraint "insight_runs_status_check" check ("status" in ('running', 'succeeded', 'partial', 'failed')));`);
    this.addSql(`create index "insight_runs_started_at_index" on "insight_runs" ("started_at");`);
    this.addSql(`create index "insight_runs_status_index" on "insight_runs" ("status");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "insight_runs";`);
    this.addSql(`drop table if exists "collective_insights";`);
  }
}
