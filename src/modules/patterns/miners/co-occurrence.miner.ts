import { Injectable } from '@nestjs/common';
import { CONSENTED_EVENTS, type MinedPattern, type MiningWindow, type PatternMiner } from '../pattern-miner';

/**
 * Actions (interactions) used by the same users, per module: for each pair (x, y) with x < y, support = users who used both;
 * confidence = P(y | x) = support / users of x (the reverse in stats); lift = P(x and y) / (P(x) P(y)) over the
 * module's users — above 1 when using one makes the other likelier. Occurrences count each user's uses of the pair
 * at most MINING_MAX_OCCURRENCES_PER_USER times.
 */
@Injectable()
export class CoOccurrenceMiner implements PatternMiner {
  readonly name = 'co_occurrence';
  readonly patternType = 'co_occurrence';

  async mine(window: MiningWindow): Promise<MinedPattern[]> {
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
       ), frequent AS (
         SELECT u.* FROM used u JOIN actions a USING (module, action)
       ), pairs AS (
         SELECT a.module, a.action AS x, b.action AS y, count(*)::int AS support, sum(least(a.n, b.n))::bigint AS occurrences
           FROM frequent a JOIN frequent b ON b.module = a.module AND b.user_id = a.user_id AND a.action < b.action
          GROUP BY a.module, a.action, b.action
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
      module: r.module,
      signature: `${r.x}+${r.y}`,
      items: { actions: [r.x, r.y] },
      support: r.support,
      occurrences: Number(r.occurrences),
      counts: { usersX: r.x_users, usersY: r.y_users, moduleUsers: r.module_users },
      // The module's users who used neither action: a reader derives them from the four counts.
      derived: [r.module_users - r.x_users - r.y_users + r.support],
      confidence: r.support / r.x_users,
      lift: (r.support * r.module_users) / (r.x_users * r.y_users),
      stats: { confidenceXGivenY: r.support / r.y_users },
    }));
  }
}
