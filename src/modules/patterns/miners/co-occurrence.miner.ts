import { Injectable } from '@nestjs/common';
import {
  CONSENTED_EVENTS,
  type MinedPattern,
  type MinerDp,
  type MiningWindow,
  PatternMinerBase,
} from '../pattern-miner';

/**
 * Actions (interactions) used by the same users, per module: for each pair (x, y) with x < y, support = users who used both;
 * confidence = P(y | x) = support / users of x (the reverse in stats); lift = P(x and y) / (P(x) P(y)) over the
 * module's users — above 1 when using one makes the other likelier. Occurrences count each user's uses of the pair
 * at most MINING_MAX_OCCURRENCES_PER_USER times. DP mode: each user counts towards at most L pairs; only the support
 * and occurrences are published (the users of x and y are other releases: confidence and lift are not).
 */
@Injectable()
export class CoOccurrenceMiner extends PatternMinerBase('co_occurrence', { supportsDp: true }) {
  async mine(window: MiningWindow): Promise<MinedPattern[]> {
    if (window.dp) return this.mineBounded(window, window.dp);
    const rows = await window.query<{
      module: string;
      x: string;
      y: string;
      support: number;
      x_users: number;
      y_users: number;
      module_users: number;
      occurrences: string;
    }>(
      `WITH used AS (
         SELECT module, action, user_id, least(count(*), $4) AS n FROM ${CONSENTED_EVENTS} e WHERE event_type = 'interaction' GROUP BY module, action, user_id
       ), actions AS (
         SELECT module, action, count(*)::int AS users FROM used GROUP BY module, action HAVING count(*) >= $3
       ), per_user AS (
         -- Each user's frequent actions as one sorted array: the pairs come from the array (i < j) in one pass,
         -- not from a self-join of every user's actions, which spilled to disk at 10 M events.
         SELECT u.module, array_agg(u.action ORDER BY u.action) AS acts, array_agg(u.n ORDER BY u.action) AS ns
           FROM used u JOIN actions a USING (module, action)
          GROUP BY u.module, u.user_id
       ), pairs AS (
         SELECT p.module, p.acts[i] AS x, p.acts[j] AS y, count(*)::int AS support,
                sum(least(p.ns[i], p.ns[j]))::bigint AS occurrences
           FROM per_user p, generate_series(1, cardinality(p.acts)) i, generate_series(i + 1, cardinality(p.acts)) j
          GROUP BY 1, 2, 3
         HAVING count(*) >= $3
       ), modules AS (
         SELECT module, count(DISTINCT user_id)::int AS users FROM used GROUP BY module
       )
       SELECT p.module, p.x, p.y, p.support, p.occurrences, ax.users AS x_users, ay.users AS y_users, m.users AS module_users
         FROM pairs p
         JOIN actions ax ON ax.module = p.module AND ax.action = p.x
         JOIN actions ay ON ay.module = p.module AND ay.action = p.y
         JOIN modules m ON m.module = p.module`,
      [window.from, window.to, window.minUserSupport, window.settings.maxOccurrencesPerUser],
    );
    return rows.map((r) => ({
      ...pairPattern(r),
      counts: { usersX: r.x_users, usersY: r.y_users, moduleUsers: r.module_users },
      // The module's users who used neither action: a reader derives them from the four counts.
      derived: [r.module_users - r.x_users - r.y_users + r.support],
      confidence: r.support / r.x_users,
      lift: (r.support * r.module_users) / (r.x_users * r.y_users),
      stats: { confidenceXGivenY: r.support / r.y_users },
    }));
  }

  /** DP mode: every pair a user used, at most L per user, counted with no threshold (the run's selection decides). */
  private async mineBounded(window: MiningWindow, dp: MinerDp): Promise<MinedPattern[]> {
    const rows = await window.query<{ module: string; x: string; y: string; support: number; occurrences: string }>(
      `WITH used AS (
         SELECT module, action, user_id, least(count(*), $3) AS n FROM ${CONSENTED_EVENTS} e WHERE event_type = 'interaction' GROUP BY module, action, user_id
       ), pairs AS (
         SELECT a.module, a.action AS x, b.action AS y, a.user_id, least(a.n, b.n) AS n
           FROM used a JOIN used b ON b.module = a.module AND b.user_id = a.user_id AND a.action < b.action
       )
       SELECT module, x, y, count(*)::int AS support, sum(n)::bigint AS occurrences
         FROM ${dp.bounded('pairs', "module || '|' || x || '+' || y")} p
        GROUP BY module, x, y`,
      [window.from, window.to, window.settings.maxOccurrencesPerUser],
    );
    return rows.map(pairPattern);
  }
}

/** The pattern of a pair of actions, as its row counts it. */
function pairPattern(r: { module: string; x: string; y: string; support: number; occurrences: string }): MinedPattern {
  return {
    module: r.module,
    signature: `${r.x}+${r.y}`,
    items: { actions: [r.x, r.y] },
    support: r.support,
    occurrences: Number(r.occurrences),
  };
}
