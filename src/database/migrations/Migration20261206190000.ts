import { Migration } from '@mikro-orm/migrations';

/**
 * The privacy budget ledger (disclosure module): one append-only row per run that spent (ε, δ). No path may update,
 * delete or truncate it, so nothing ever refunds budget.
 */
export class Migration20261206190000 extends Migration {
  override name = 'Migration20261206190000';

  override up(): void | Promise<void> {
    this
      .addSql(`create table "privacy_budget_spends" ("id" uuid not null, "run_kind" varchar(16) not null, "run_id" uuid not null, "epsilon" double precision not null, "delta" double precision not null, "spent_at" timestamptz not null, primary key ("id"),
      constraint "privacy_budget_spends_run_kind_check" check ("run_kind" in ('mining', 'insights')),
      constraint "privacy_budget_spends_amount_check" check ("epsilon"::numeric > 0 and "delta"::numeric >= 0));`);
    this.addSql(`create index "privacy_budget_spends_spent_at_index" on "privacy_budget_spends" ("spent_at");`);
    this.addSql(
      `alter table "privacy_budget_spends" add constraint "privacy_budget_spends_run_kind_run_id_unique" unique ("run_kind", "run_id");`,
    );
    this.addSql(`create function "privacy_budget_spends_append_only"() returns trigger language plpgsql as $$
      begin
        raise exception 'privacy_budget_spends is append-only' using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(
      `create trigger "privacy_budget_spends_append_only" before update or delete on "privacy_budget_spends" for each row execute function "privacy_budget_spends_append_only"();`,
    );
    this.addSql(
      `create trigger "privacy_budget_spends_no_truncate" before truncate on "privacy_budget_spends" for each statement execute function "privacy_budget_spends_append_only"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "privacy_budget_spends";`);
    this.addSql(`drop function if exists "privacy_budget_spends_append_only"();`);
  }
}
