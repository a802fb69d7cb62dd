import { Migration } from '@mikro-orm/migrations';

/**
 * The views other modules read instead of the owners' tables:
 * - `consenting_users` (consent): the users who allow collective learning now, with the time before which what a
 *   withdrawal kept must not be mined again;
 * - `consented_learning_events` (learning): the events of those users that may be mined;
 * - `published_patterns` (patterns): the active patterns insights are generated from.
 * PostgreSQL inlines simple views into the queries that read them, so they cost nothing over the joins they replace.
 */
export class Migration20261206170000 extends Migration {
  override name = 'Migration20261206170000';

  override up(): void | Promise<void> {
    this.addSql(`create view "consenting_users" as
      select "user_id", "mining_excluded_before" from "user_privacy_settings" where "allow_collective_learning";`);
    this.addSql(`create view "consented_learning_events" as
      select e."id", e."user_id", e."event_type", e."module", e."action", e."session_id", e."client_event_id", e."timestamp", e."received_at", e."labels", e."rating", e."sentiment", e."outcome", e."signature", e."payload", e."key_id" from "global_learning_events" e join "consenting_users" c on c."user_id" = e."user_id"  where c."mining_excluded_before" is null or e."received_at" > c."mining_excluded_before";`);
    this.addSql(`create view "published_patterns" as select * from "global_patterns" where "status" = 'active';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop view if exists "published_patterns";`);
    this.addSql(`drop view if exists "consented_learning_events";`);
    this.addSql(`drop view if exists "consenting_users";`);
  }
}
