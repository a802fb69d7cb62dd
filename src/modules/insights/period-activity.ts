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
}

/**
 * Per module, the distinct users of the current and the previous period (consented events only): counts of users,
 * so each user adds at most 1 to each figure (what bounds a user's contribution for differential privacy). Each
 * figure is noised once, under an identity naming the module, the figure and the period's bounds, so every
 * generator that shows it shows the same value; a part never exceeds its whole after noise.
 */
export async function periodActivity(
  context: GenerationContext,
): Promise<{ current: Map<string, ModuleActivity>; previous: Map<string, ModuleActivity> }> {
  const rows = await context.query<ModuleActivity & { current: boolean }>(
    `WITH per_user AS (
       SELECT module, timestamp >= $3 AS current, user_id,
              bool_or(event_type = 'correction') AS corrected,
              count(*) FILTER (WHERE event_type = 'feedback' AND (rating >= 4 OR sentiment = 'positive')) AS positive,
              count(*) FILTER (WHERE event_type = 'feedback' AND (rating <= 2 OR sentiment = 'negative')) AS negative,
              bool_or(event_type = 'feedback' AND (rating IS NOT NULL OR sentiment IS NOT NULL)) AS rated
         FROM ${CONSENTED_EVENTS} e
        GROUP BY module, timestamp >= $3, user_id
     )
     SELECT module, current, count(*)::int AS users, count(*) FILTER (WHERE corrected)::int AS correcting,
            count(*) FILTER (WHERE rated)::int AS rating, count(*) FILTER (WHERE positive > negative)::int AS satisfied
       FROM per_user GROUP BY module, current`,
    [context.previous.from, context.period.to, context.period.from],
  );
  const current = new Map<string, ModuleActivity>();
  const previous = new Map<string, ModuleActivity>();
  for (const { current: isCurrent, ...exact } of rows) {
    const span = isCurrent ? context.period : context.previous;
    const noised = (figure: keyof Omit<ModuleActivity, 'module'>) =>
      context.count(
        `activity|${exact.module}|${figure}|${span.from.toISOString()}|${span.to.toISOString()}`,
        exact[figure],
      );
    const users = noised('users');
    const rating = Math.min(noised('rating'), users);
    const activity = {
      module: exact.module,
      users,
      correcting: Math.min(noised('correcting'), users),
      rating,
      satisfied: Math.min(noised('satisfied'), rating),
    };
    (isCurrent ? current : previous).set(activity.module, activity);
  }
  return { current, previous };
}
