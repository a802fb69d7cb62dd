import { Migration } from '@mikro-orm/migrations';

/** Platform: API clients and the append-only audit log. */
export class Migration20261124212234 extends Migration {
  override name = 'Migration20261124212234';

  override up(): void {
    this.addSql(
      `create table "api_clients" ("id" uuid not null, "name" varchar(100) not null, "roles" text[] not null, "secret_hash" text not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`alter table "api_clients" add constraint "api_clients_name_unique" unique ("name");`);
    this.addSql(
      `alter table "api_clients" add constraint "api_clients_roles_check" check (cardinality("roles") > 0 and "roles" <@ array['user','service','admin']::text[]);`,
    );

    this.addSql(
      `create table "audit_log" ("id" uuid not null, "at" timestamptz not null, "actor" varchar(200) not null, "actor_type" varchar(20) not null, "action" varchar(100) not null, "target" varchar(200) null, "outcome" varchar(20) not null, "ip" varchar(64) null, "request_id" varchar(128) null, "details" jsonb null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "audit_log" add constraint "audit_log_outcome_check" check ("outcome" in ('success','failure','denied'));`,
    );
    this.addSql(`create index "audit_log_at_id_index" on "audit_log" ("at", "id");`);
    this.addSql(`create index "audit_log_action_at_index" on "audit_log" ("action", "at");`);
    this.addSql(`create index "audit_log_actor_at_index" on "audit_log" ("actor", "at");`);

    // Append-only: UPDATE is always refused; DELETE only inside a transaction that set app.audit_purge = 'on'
    // (the retention purge), so neither a bug nor a stray query can rewrite history.
    this.addSql(`create function "audit_log_append_only"() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and coalesce(current_setting('app.audit_purge', true), '') = 'on' then
    return old;
  end if;
  raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end $$;`);
    this.addSql(
      `create trigger "audit_log_append_only" before update or delete on "audit_log" for each row execute function "audit_log_append_only"();`,
    );
    this.addSql(
      `create trigger "audit_log_no_truncate" before truncate on "audit_log" for each statement execute function "audit_log_append_only"();`,
    );
  }

  override down(): void {
    this.addSql(`drop table if exists "audit_log" cascade;`);
    this.addSql(`drop function if exists "audit_log_append_only"();`);
    this.addSql(`drop table if exists "api_clients" cascade;`);
  }
}
