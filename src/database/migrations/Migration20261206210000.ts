import { Migration } from '@mikro-orm/migrations';

/**
 * Ready to shard by user (docs/scaling.md): the primary keys of the user-scoped tables whose key did not hold the
 * user include it — events (user_id, id), consent records (subject, id). Events keep an index on id alone for the
 * reads by event id.
 */
export class Migration20261206210000 extends Migration {
  override name = 'Migration20261206210000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "global_learning_events" drop constraint "global_learning_events_pkey";`);
    this.addSql(`drop index "global_learning_events_user_id_id_index";`);
    this.addSql(
      `alter table "global_learning_events" add constraint "global_learning_events_pkey" primary key ("user_id", "id");`,
    );
    this.addSql(`create index "global_learning_events_id_index" on "global_learning_events" ("id");`);
    this.addSql(`alter table "consent_records" drop constraint "consent_records_pkey";`);
    this.addSql(`alter table "consent_records" add constraint "consent_records_pkey" primary key ("subject", "id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "consent_records" drop constraint "consent_records_pkey";`);
    this.addSql(`alter table "consent_records" add constraint "consent_records_pkey" primary key ("id");`);
    this.addSql(`drop index "global_learning_events_id_index";`);
    this.addSql(`alter table "global_learning_events" drop constraint "global_learning_events_pkey";`);
    this.addSql(
      `alter table "global_learning_events" add constraint "global_learning_events_pkey" primary key ("id");`,
    );
    this.addSql(
      `create index "global_learning_events_user_id_id_index" on "global_learning_events" ("user_id", "id");`,
    );
  }
}
