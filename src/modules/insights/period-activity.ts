import { CONSENTED_EVENTS } from './insight-generator';
import type { GenerationContext } from './insight-generator';

/** Distinct users of one module in one period, by what they did. */
export interface ModuleActivity {
  module: string;
  /** Users with any event. */
  users: number;
  /** Users who made a correction. */
  correcting: number;
  /** Users who rated or gave a sentiment. */
  rating: number;
  /** Of those, users whose positive feedback outweighed their negative. */
  satisfied: number;
  /** The variance of the noise in each of these counts (0 when exact). */
  noiseVariance: number;
}

/** The release family of the period activity (trend and summary read it). */
export const ACTIVITY = 'activity';

/**
 * Per module, the distinct users of the current and the previous period (consented events only): counts of users,
 * so each user adds at most 1 to each figure. They are released once per module (`context.release`, family
 * `activity`), so every generator that shows a figure shows the same value, and in DP mode a user counts towards at
 * most L modules; a part never exceeds its whole after noise.
 */
export async function periodActivity(
  context: GenerationContext,
): Promise<{ current: Map<string, ModuleActivity>; previous: Map<string, ModuleActivity> }> {
  const rows = await context.query<Record<string, number> & { module: string }>(
    `WITH per_user AS (
       SELECT module, timestamp >= $3 AS current, user_id,
              bool_or(event_type = 'correction') AS corrected,
              count(*) FILTER (WHERE event_type = 'feedback' AND (rating >= 4 OR sentiment = 'positive')) AS positive,
              count(*) FILTER (WHERE event_type = 'feedback' AND (rating <= 2 OR sentiment = 'negative')) AS negative,
              bool_or(event_type = 'feedback' AND (rating IS NOT NULL OR sentiment IS NOT NULL)) AS rated
         FROM ${CONSENTED_EVENTS} e
        GROUP BY module, timestamp >= $3, user_id
     )
     SELECT module, count(DISTINCT user_id)::int AS users,
            ${PERIODS.flatMap((period) =>
              FIGURES.map(
                ([figure, filter]) =>
                  `count(*) FILTER (WHERE ${period === 'current' ? '' : 'NOT '}current${filter})::int AS "${period}_${figure}"`,
              ),
            ).join(',\n            ')}
       FROM ${context.dp ? context.dp.bounded('per_user', 'module') : 'per_user'} u
      GROUP BY module`,
    [context.previous.from, context.period.to, context.period.from],
  );
  const current = new Map<string, ModuleActivity>();
  const previous = new Map<string, ModuleActivity>();
  for (const { module, users, ...exact } of rows) {
    const released = context.release(ACTIVITY, module, users, exact);
    if (!released) continue;
    for (const period of PERIODS) {
      const figure = (name: string) => released[`${period}_${name}`] ?? 0;
      const activeUsers = figure('users');
      if (activeUsers === 0) continue;
      const rating = Math.min(figure('rating'), activeUsers);
      (period === 'current' ? current : previous).set(module, {
        module,
        users: activeUsers,
        correcting: Math.min(figure('correcting'), activeUsers),
        rating,
        satisfied: Math.min(figure('satisfied'), rating),
        noiseVariance: released.noiseVariance,
      });
    }
  }
  return { current, previous };
}

const PERIODS = ['current', 'previous'] as const;
/** Each figure and the filter that counts it among a period's per-user rows. */
const FIGURES: [string, string][] = [
  ['users', ''],
  ['correcting', ' AND corrected'],
  ['rating', ' AND rated'],
  ['satisfied', ' AND positive > negative'],
];
