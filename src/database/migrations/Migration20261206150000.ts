import { Migration } from '@mikro-orm/migrations';

/**
 * Data keys for the direct-COPY ingest path. A write names each of its users with the data key its rows were sealed
 * under; the function holds those key rows FOR KEY SHARE (a shred, which deletes the row, waits for the write) and
 * fails (LC003) when one is not the user's stored key: an instance sealed with a cached key that another instance
 * shredded since. The write then stores nothing and goes through the staged path, which reports those users so the
 * service seals their rows again under the current key. Called after `learning_consent_held`, so the consent bucket
 * is held before the key row, the order erasure takes them in.
 */
export class Migration20261206150000 extends Migration {
  override name = 'Migration20261206150000';

  override up(): void | Promise<void> {
    this
      .addSql(`create function "learning_keys_current"("users" uuid[], "key_ids" text[]) returns void language plpgsql as $$
      declare
        current int;
      begin
        select count(*) into current from (
          select 1 from "user_data_keys" as k join unnest("users", "key_ids") as p(user_id, key_id)
            on k."user_id" = p.user_id and k."key_id" = p.key_id
          for key share of k
        ) as held;
        if current <> cardinality("users") then
          raise exception 'a row of this write was sealed under a data key that is not its user''s' using errcode = 'LC003';
        end if;
      end
    $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function if exists "learning_keys_current"(uuid[], text[]);`);
  }
}
