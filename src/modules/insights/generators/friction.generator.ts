import { Injectable } from '@nestjs/common';
import { wilsonLowerBound } from '../../patterns/statistics';
import {
  CONSENTED_EVENTS,
  percent,
  type GeneratedInsight,
  type GenerationContext,
  type InsightGenerator,
} from '../insight-generator';
import { twoProportionTest } from '../significance';

interface ActionTrouble {
  module: string;
  action: string;
  /** Distinct users of the action, and of those the ones it troubled. */
  users: number;
  troubled: number;
  /** Distinct users of the module who did not use the action, and of those the ones any action troubled. */
  rest_users: number;
  rest_troubled: number;
  feedback_pattern: string | null;
}

/**
 * Where users struggle: per module and action over the period, the share of its users who were troubled by it —
 * corrected it, had it fail or abandoned it (interaction outcome), or rated it more negatively than positively.
 * An action is a friction point when the Wilson lower bound of that share reaches INSIGHTS_FRICTION_RATE and the
 * share is significantly above that of the module's other users — those who did not use the action, troubled by
 * anything (one-sided two-proportion test on two disjoint groups of distinct users, p < INSIGHTS_ALPHA).
 * Evidence: the action's feedback pattern, when one is published.
 */
@Injectable()
export class FrictionGenerator implements InsightGenerator {
  readonly name = 'friction';
  readonly insightType = 'friction';

  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    const rows = await context.query<ActionTrouble>(
      `WITH per_action AS (
         SELECT module, action, user_id,
                bool_or(event_type = 'correction')
                  OR bool_or(event_type = 'interaction' AND outcome IN ('failure', 'abandoned'))
                  OR count(*) FILTER (WHERE event_type = 'feedback' AND (rating <= 2 OR sentiment = 'negative'))
                     > count(*) FILTER (WHERE event_type = 'feedback' AND (rating >= 4 OR sentiment = 'positive')) AS troubled
           FROM ${CONSENTED_EVENTS} e GROUP BY module, action, user_id
       ), per_user AS (
         SELECT module, user_id, bool_or(troubled) AS troubled FROM per_action GROUP BY module, user_id
       ), modules AS (
         SELECT module, count(*)::int AS users, count(*) FILTER (WHERE troubled)::int AS troubled FROM per_user GROUP BY module
       ), actions AS (
         SELECT a.module, a.action, count(*)::int AS users, count(*) FILTER (WHERE a.troubled)::int AS troubled,
                count(*) FILTER (WHERE u.troubled)::int AS troubled_anywhere
           FROM per_action a JOIN per_user u USING (module, user_id) GROUP BY a.module, a.action
       )
       SELECT a.module, a.action, a.users, a.troubled, m.users - a.users AS rest_users, m.troubled - a.troubled_anywhere AS rest_troubled,
              (SELECT g.id::text FROM published_patterns g WHERE g.pattern_type = 'feedback' AND g.module = a.module AND g.signature = a.action) AS feedback_pattern
         FROM actions a JOIN modules m USING (module)`,
      [context.period.from, context.period.to],
    );
    const span = `${context.period.from.toISOString()}|${context.period.to.toISOString()}`;
    const insights: GeneratedInsight[] = [];
    for (const row of rows) {
      const id = (figure: string) => `friction|${row.module}|${row.action}|${figure}|${span}`;
      const users = context.count(id('users'), row.users);
      const troubled = Math.min(context.count(id('troubled'), row.troubled), users);
      const restUsers = context.count(id('rest_users'), row.rest_users);
      const restTroubled = Math.min(context.count(id('rest_troubled'), row.rest_troubled), restUsers);
      if (
        !(users >= context.minUserSupport && restUsers >= context.minUserSupport) ||
        ![troubled, restTroubled].every((n) => context.publishable(n))
      )
        continue;
      const lower = wilsonLowerBound(troubled, users);
      if (lower < context.settings.frictionRate) continue;
      const test = twoProportionTest(troubled, users, restTroubled, restUsers);
      const p = test.z > 0 ? test.p / 2 : 1;
      if (!(p < context.alpha)) continue;
      const share = troubled / users;
      const baseline = restTroubled / restUsers;
      insights.push({
        module: row.module,
        key: row.action,
        title: `${row.action} in ${row.module} troubles ${percent(share)} of its users (the module's other users: ${percent(baseline)})`,
        metric: 'troubled_share',
        value: share,
        baseline,
        change: share - baseline,
        significance: 1 - p,
        support: Math.min(users, restUsers),
        evidence: {
          patternIds: row.feedback_pattern ? [row.feedback_pattern] : [],
          aggregate: { users, troubled, restUsers, restTroubled },
        },
        stats: { wilsonLower: lower, z: test.z, p },
      });
    }
    return insights;
  }
}
