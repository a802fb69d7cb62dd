import { checkTable, firstRow, type Query } from './checks';
/**
 * Planted effects for the insight generators on the mining benchmark's data set, in four modules of their own:
 *  - `i_trend`: 200 users active in the previous week, 400 in the current one (a trend in active users);
 *  - `i_spike`: 40–60 users a day for 28 days, then 300 on the last complete day (an anomaly);
 *  - `i_friction`: `export` fails for 60 of its 100 users, `view` for 1 in 20 of its 400 (a friction point);
 *  - `i_control`: 50 users a day for 35 days from a pool of 500, `view`/`edit` failing 1 in 20 (no effect at all).
 * Users are deterministic (md5 of a tag) and consent. All in SQL, interactions with an outcome.
 */

const DAY = "interval '1 day'";

export async function plantInsightEffects(q: Query): Promise<number> {
  const rows: string[] = [];
  const user = (tag: string, i: number) => `md5('${tag}${i}')::uuid`;
  const event = (who: string, module: string, action: string, at: string, outcome = 'success') =>
    `(${who}, '${module}', '${action}', ${at}, '${outcome}')`;
  const dayStart = `date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
  const onDay = (daysBefore: number, minute: number) =>
    `${dayStart} - ${daysBefore + 1} * ${DAY} + ${minute} * interval '1 minute'`;

  for (let i = 0; i < 200; i++)
    rows.push(event(user('it', i), 'i_trend', 'visit', `now() - 10 * ${DAY} + ${i} * interval '1 minute'`));
  for (let i = 0; i < 400; i++)
    rows.push(event(user('it', i), 'i_trend', 'visit', `now() - 2 * ${DAY} + ${i} * interval '1 minute'`));
  for (let d = 1; d <= 28; d++)
    for (let u = 0; u < 40 + ((d * 7) % 21); u++) rows.push(event(user('is', u), 'i_spike', 'visit', onDay(d, u)));
  for (let u = 0; u < 300; u++) rows.push(event(user('is', u), 'i_spike', 'visit', onDay(0, u)));
  for (let u = 0; u < 100; u++)
    rows.push(
      event(
        user('if', u),
        'i_friction',
        'export',
        `now() - 3 * ${DAY} + ${u} * interval '1 minute'`,
        u < 60 ? 'failure' : 'success',
      ),
    );
  for (let u = 0; u < 400; u++)
    rows.push(
      event(
        user('if', u),
        'i_friction',
        'view',
        `now() - 3 * ${DAY} + ${u} * interval '1 minute'`,
        u % 20 === 0 ? 'failure' : 'success',
      ),
    );
  for (let d = 0; d < 35; d++) {
    for (let j = 0; j < 50; j++) {
      const u = (d * 37 + j * 13) % 500;
      rows.push(
        event(
          user('ic', u),
          'i_control',
          j % 2 ? 'view' : 'edit',
          onDay(d, j),
          (d * 50 + j) % 20 === 0 ? 'failure' : 'success',
        ),
      );
    }
  }
  await q(
    `INSERT INTO user_privacy_settings (user_id, allow_collective_learning, policy_version)
     SELECT md5(tag || i)::uuid, true, 'bench' FROM unnest(ARRAY['it', 'is', 'if', 'ic']) tag, generate_series(0, 499) i
     ON CONFLICT (user_id) DO NOTHING`,
  );
  for (let at = 0; at < rows.length; at += 2000) {
    await q(
      `INSERT INTO global_learning_events (id, user_id, event_type, module, action, timestamp, received_at, outcome, payload, key_id)
       SELECT gen_random_uuid(), v.u, 'interaction', v.m, v.a, v.ts, now(), v.o, '\\x00'::bytea, 'bench'
         FROM (VALUES ${rows.slice(at, at + 2000).join(', ')}) AS v(u, m, a, ts, o)`,
    );
  }
  return rows.length;
}

interface InsightCheck {
  name: string;
  type: string;
  module: string;
  key: string;
}

const CHECKS: InsightCheck[] = [
  { name: 'trend: active users in i_trend (200 → 400)', type: 'trend', module: 'i_trend', key: 'active_users' },
  {
    name: 'anomaly: the last day of i_spike (300 against ~50)',
    type: 'anomaly',
    module: 'i_spike',
    key: 'daily_active_users',
  },
  { name: 'friction: export in i_friction (60 % failing)', type: 'friction', module: 'i_friction', key: 'export' },
  {
    name: 'recommendation: p_edit after p_open in m1',
    type: 'recommendation',
    module: 'm1',
    key: 'next:p_open>p_edit',
  },
];

/** Prints the planted effects found and the control module's insights; returns the number of failed checks. */
export async function checkInsights(q: Query): Promise<number> {
  let failures = await checkTable(
    '| planted effect | found | significance |',
    '| --- | :---: | ---: |',
    CHECKS,
    async (c) => {
      const row = await firstRow<{ significance: number }>(
        q,
        `SELECT significance FROM collective_insights WHERE status = 'active' AND insight_type = $1 AND module = $2 AND key = $3`,
        [c.type, c.module, c.key],
      );
      return {
        ok: row !== undefined,
        line: `| ${c.name} | ${row ? 'yes' : 'NO'} | ${row ? row.significance.toFixed(6) : '–'} |`,
      };
    },
  );
  const control = (
    await q(
      `SELECT insight_type, key FROM collective_insights WHERE status = 'active' AND module = 'i_control' AND insight_type <> 'summary'`,
    )
  ).rows;
  if (control.length > 0) failures++;
  console.log(
    `| control module i_control: no trend, anomaly, friction or recommendation | ${control.length === 0 ? 'yes' : `NO: ${control.map((r) => `${String(r.insight_type)}/${String(r.key)}`).join(', ')}`} | |`,
  );
  return failures;
}
