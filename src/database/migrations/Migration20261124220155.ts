import { Migration } from '@mikro-orm/migrations';

/** Crypto module: wrapped per-user data keys, tombstones of shredded ones, service-wide keys (blind-index root), key rotations. */
export class Migration20261124220155 extends Migration {
  override name = 'Migration20261124220155';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "user_data_keys" ("user_id" uuid not null, "key_id" varchar(32) not null, "wrapped_key" bytea not null, "kek_id" varchar(32) not null, "created_at" timestamptz not null default now(), "rewrapped_at" timestamptz null, primary key ("user_id"));`,
    );
    this.addSql(`create index "user_data_keys_kek_id_index" on "user_data_keys" ("kek_id");`);
    this.addSql(
      `create table "shredded_data_keys" ("key_id" varchar(32) not null, "shredded_at" timestamptz not null default now(), primary key ("key_id"));`,
    );

    this.addSql(
      `create table "crypto_system_keys" ("name" varchar(64) not null, "key_id" varchar(32) not null, "wrapped_key" bytea null, "kek_id" varchar(32) null, "fingerprint" varchar(64) not null, "created_at" timestamptz not null default now(), primary key ("name"), constraint "crypto_system_keys_wrapped_check" check (("wrapped_key" is null) = ("kek_id" is null)));`,
    );

    this.addSql(
      `create table "key_rotations" ("id" uuid not null, "target_kek_id" varchar(32) not null, "status" varchar(16) not null, "requested_by" varchar(200) not null, "keys_total" int not null, "keys_rewrapped" int not null default 0, "last_error" text null, "started_at" timestamptz not null, "updated_at" timestamptz not null, "finished_at" timestamptz null, primary key ("id"), constraint "key_rotations_status_check" check ("status" in ('running', 'completed', 'failed')));`,
    );
    this.addSql(`create index "key_rotations_started_at_index" on "key_rotations" ("started_at");`);
    // At most one rotation runs at a time, whichever instance started it.
    this.addSql(
      `create unique index "key_rotations_one_running" on "key_rotations" ((true)) where "status" = 'running';`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "key_rotations" cascade;`);
    this.addSql(`drop table if exists "crypto_system_keys" cascade;`);
    this.addSql(`drop table if exists "shredded_data_keys" cascade;`);
    this.addSql(`drop table if exists "user_data_keys" cascade;`);
  }
}
