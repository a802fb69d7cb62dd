import { Migration } from '@mikro-orm/migrations';

/**
 * Learning events (payload encrypted, miner columns in clear, idempotency per user and client event id), erasure
 * receipts, and the audit log's pseudonymization path for erasure.
 */
export class Migration20261125000000 extends Migration {
  override name = 'Migration20261125000000';

  override up(): void | Promise<void> {
    this.addSql(`create table "global_learning_events" (
      "id" uuid not null,
      "user_id" uuid not null,
      "event_type" varchar(24) not null,
      "module" varchar(64) not null,
      "action" varchar(64) not null,
      "session_id" varchar(128) null,
      "client_event_id" varchar(128) null,
      "timestamp" timestamptz not null,
      "received_at" timestamptz not null default now(),
      "labels" jsonb null,
      "rating" smallint null,
      "sentiment" varchar(8) null,
      "outcome" varchar(16) null,
      "signature" varchar(64) null,
      "payload" bytea not null,
      "key_id" varchar(32) not null,
      primary key ("id"),
      constraint "global_learning_events_event_type_check" check ("event_type" in ('interaction', 'feedback', 'correction', 'pattern_discovery')),
      constraint "global_learning_events_rating_check" check ("rating" between 1 and 5),
      constraint "global_learning_events_sentiment_check" check ("sentiment" in ('positive', 'negative')),
      constraint "global_learning_events_outcome_check" check ("outcome" in ('success', 'failure', 'abandoned')));`);
    this.addSql(`create index "global_learning_events_timestamp_index" on "global_learning_events" ("timestamp");`);
    this.addSql(
      `create index "global_learning_events_user_id_id_index" on "global_learning_events" ("user_id", "id");`,
    );
    this.addSql(`create index "global_learning_events_event_type_index" on "global_learning_events" ("event_type");`);
    this.addSql(
      `create index "global_learning_events_module_timestamp_index" on "global_learning_events" ("module", "timestamp");`,
    );
    this.addSql(
      `create unique index "global_learning_events_user_id_client_event_id_unique" on "global_learning_events" ("user_id", "client_event_id");`,
    );

    this.addSql(
      `create table "privacy_erasures" ("id" uuid not null, "subject" varchar(80) not null, "requested_by" varchar(200) not null, "source" varchar(16) not null, "erased_at" timestamptz not null, "counts" jsonb not null, primary key ("id"));`,
    );
    this.addSql(`create index "privacy_erasures_subject_index" on "privacy_erasures" ("subject");`);

    // Exports find the entries about a user by actor (indexed already) or target.
    this.addSql(`create index "audit_log_target_at_index" on "audit_log" ("target", "at");`);
    // The audit log stays append-only; only an erasure (app.privacy_erasure = 'on' for its own transaction) may
    // replace a user's id by its pseudonym in actor, target and details and clear the address — every other
    // column must stay as it was.
    this.addSql(`create or replace function "audit_log_append_only"() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and coalesce(current_setting('app.audit_purge', true), '') = 'on' then
    return old;
  end if;
  if tg_op = 'UPDATE' and coalesce(current_setting('app.privacy_erasure', true), '') = 'on'
     and new.id = old.id and new.at = old.at and new.action = old.action and new.actor_type = old.actor_type
     and new.outcome = old.outcome and (new.ip is null or new.ip is not distinct from old.ip) and new.request_id is not distinct from old.request_id then
    return new;
  end if;
  raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`create or replace function "audit_log_append_only"() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and coalesce(current_setting('app.audit_purge', true), '') = 'on' then
    return old;
  end if;
  raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end $$;`);
    this.addSql(`drop index if exists "audit_log_target_at_index";`);
    this.addSql(`drop table if exists "privacy_erasures" cascade;`);
    this.addSql(`drop table if exists "global_learning_events" cascade;`);
  }
}
