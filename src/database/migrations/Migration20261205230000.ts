import { Migration } from '@mikro-orm/migrations';

/**
 * Consent for the direct-COPY ingest path, without row locks. A write takes shared advisory locks on the consent
 * buckets of its users (32 buckets by the uuid's last byte: at most 32 locks per write, half of PostgreSQL's
 * default max_locks_per_transaction) and then reads consent with a fresh snapshot; every change that takes consent
 * away (a withdrawal, an erasure) first takes its user's bucket exclusively. So a change waits for the direct
 * writes in flight, and writes after it see it: nothing is stored once it has committed. A write never waits for a
 * bucket: when one is held or wanted by a change (LC002), or a user does not consent (LC001), it fails having
 * stored nothing and the service sends it through the staged path, whose FOR SHARE on the settings rows waits only
 * for the changes of its own users and leaves out users without consent.
 */
export class Migration20261205230000 extends Migration {
  override name = 'Migration20261205230000';

  override up(): void | Promise<void> {
    this
      .addSql(`create function "learning_consent_bucket"("user_id" uuid) returns int language sql immutable parallel safe
      as $$ select get_byte(uuid_send("user_id"), 15) & 31 $$;`);
    this.addSql(`create function "learning_consent_change_lock"("user_id" uuid) returns void language sql
      as $$ select pg_advisory_xact_lock(1818455918, "learning_consent_bucket"("user_id")) $$;`);
    this.addSql(`create function "learning_consent_held"("users" uuid[]) returns void language plpgsql as $$
      declare
        bucket int;
        held bigint;
      begin
        -- The fresh snapshot below is what makes the check see every change that held a bucket before us.
        if current_setting('transaction_isolation') <> 'read committed' then
          raise exception 'the consent check needs READ COMMITTED' using errcode = 'LC001';
        end if;
        -- Never waits: a bucket that a change holds or waits for sends the write to the row-locking path, so a
        -- withdrawal in progress delays only writes of its own user, not every write that shares its bucket.
        for bucket in select distinct "learning_consent_bucket"(u) from unnest("users") as u order by 1 loop
          if not pg_try_advisory_xact_lock_shared(1818455918, bucket) then
            raise exception 'a consent change holds bucket %', bucket using errcode = 'LC002';
          end if;
        end loop;
        -- A new statement, a new snapshot: sees every change that held a bucket before us.
        select count(*) into held from "user_privacy_settings" as s join unnest("users") as u(id) on s."user_id" = u.id
         where s."allow_collective_learning";
        if held <> cardinality("users") then
          raise exception 'a user of this write does not consent now' using errcode = 'LC001';
        end if;
      end
    $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function if exists "learning_consent_held"(uuid[]);`);
    this.addSql(`drop function if exists "learning_consent_change_lock"(uuid);`);
    this.addSql(`drop function if exists "learning_consent_bucket"(uuid);`);
  }
}
