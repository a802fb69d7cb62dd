import { Migration } from '@mikro-orm/migrations';

/** Consent: current settings per user and the append-only, hash-chained consent ledger. */
export class Migration20261124231500 extends Migration {
  override name = 'Migration20261124231500';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "user_privacy_settings" ("user_id" uuid not null, "allow_collective_learning" boolean not null, "policy_version" varchar(32) not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), primary key ("user_id"));`,
    );
    this.addSql(
      `create table "consent_records" ("id" uuid not null, "subject" varchar(80) not null, "purpose" varchar(64) not null, "granted" boolean not null, "policy_version" varchar(32) not null, "source" varchar(16) not null, "actor" varchar(200) not null, "recorded_at" timestamptz not null, "prev_hash" varchar(64) null, "hash" varchar(64) not null, primary key ("id"), constraint "consent_records_source_check" check ("source" in ('user', 'service', 'admin')));`,
    );
    this.addSql(
      `create index "consent_records_subject_recorded_at_index" on "consent_records" ("subject", "recorded_at");`,
    );
    // Append-only: only the erasure path (which sets app.consent_erasure = 'on' for its own transaction) may
    // rewrite the subject to its pseudonym or delete.
    this.addSql(`create function "consent_records_append_only"() returns trigger language plpgsql as $$
      begin
        if coalesce(current_setting('app.consent_erasure', true), '') = 'on' then
          if tg_op = 'DELETE' then return old; end if;
          return new;
        end if;
        raise exception 'consent_records is append-only' using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(
      `create trigger "consent_records_append_only" before update or delete on "consent_records" for each row execute function "consent_records_append_only"();`,
    );
    this.addSql(
      `create trigger "consent_records_no_truncate" before truncate on "consent_records" for each statement execute function "consent_records_append_only"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "consent_records" cascade;`);
    this.addSql(`drop function if exists "consent_records_append_only"();`);
    this.addSql(`drop table if exists "user_privacy_settings" cascade;`);
  }
}
