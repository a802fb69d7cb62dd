import { Injectable } from '@nestjs/common';
import { wilsonLowerBound } from '../../patterns/statistics';
import { CONSENTED_EVENTS, InsightGeneratorBase, percent } from '../insight-generator';
import type { GeneratedInsight, GenerationContext } from '../insight-generator';
import { twoProportionTest } from '../significance';

interface ActionTrouble {
  module: string;
  action: string;
  /** Distinct users of the action, and of those the ones it troubled. */
  users: number;
  troubled: number;
  /** Of the action's users, those troubled by any action of the module. */
  troubled_anywhere: number;
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
export class FrictionGenerator extends InsightGeneratorBase('friction', { releaseFamilies: ['actions', 'trouble'] }) {
  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    const perUser = `per_action AS (
         SELECT module, action, user_id,
                bool_or(event_type = 'correction')
                  OR bool_or(event_type = 'interaction' AND outcome IN ('failure', 'abandoned'))
                  OR count(*) FILTER (WHERE event_type = 'feedback' AND (rating <= 2 OR sentiment = 'negative'))
                     > count(*) FILTER (WHERE event_type = 'feedback' AND (rating >= 4 OR sentiment = 'positive')) AS troubled
           FROM ${CONSENTED_EVENTS} e GROUP BY module, action, user_id
       ), per_user AS (
         SELECT module, user_id, bool_or(troubled) AS troubled FROM per_action GROUP BY module, user_id
       )`;
    const bounded = (relation: string, key: string) => (context.dp ? context.dp.bounded(relation, key) : relation);
    // Each module's users and those troubled by anything (family `trouble`), each action's (family `actions`).
    const modules = await context.query<{ module: string; users: number; troubled: number }>(
      `WITH ${perUser}
       SELECT module, count(*)::int AS users, count(*) FILTER (WHERE troubled)::int AS troubled
         FROM ${bounded('per_user', 'module')} u GROUP BY module`,
      [context.period.from, context.period.to],
    );
    const actions = await context.query<ActionTrouble>(
      `WITH ${perUser}, per_action_user AS (
         SELECT a.module, a.action, a.user_id, a.troubled, u.troubled AS troubled_anywhere
           FROM per_action a JOIN per_user u USING (module, user_id)
       )
       SELECT j.module, j.action, count(*)::int AS users, count(*) FILTER (WHERE j.troubled)::int AS troubled,
              count(*) FILTER (WHERE j.troubled_anywhere)::int AS troubled_anywhere,
              (SELECT g.id::text FROM published_patterns g WHERE g.pattern_type = 'feedback' AND g.module = j.module AND g.signature = j.action) AS feedback_pattern
         FROM ${bounded('per_action_user', "module || '|' || action")} j GROUP BY j.module, j.action`,
      [context.period.from, context.period.to],
    );
    const trouble = new Map(
      modules.map((m) => [m.module, context.release('trouble', m.module, m.users, { troubled: m.troubled })]),
    );
    const insights: GeneratedInsight[] = [];
    for (const row of actions) {
      const action = context.release('actions', `${row.module}|${row.action}`, row.users, {
        troubled: row.troubled,
        troubledAnywhere: row.troubled_anywhere,
      });
      const module = trouble.get(row.module);
      if (!action || !module) continue;
      // The module's other users, and those of them troubled by anything: the module's figures less the action's.
      const users = action.users;
      const troubled = Math.min(action.troubled, users);
      const restUsers = Math.max(0, module.users - users);
      const restTroubled = Math.min(Math.max(0, module.troubled - Math.min(action.troubledAnywhere, users)), restUsers);
      if (
        !(users >= context.minUserSupport && restUsers >= context.minUserSupport) ||
        ![troubled, restTroubled].every((n) => context.publishable(n))
      )
        continue;
      const lower = wilsonLowerBound(troubled, users);
      if (lower < context.settings.frictionRate) continue;
      // The rest's counts are differences of two released counts: their noise adds up with the action's.
      const test = twoProportionTest(
        troubled,
        users,
        restTroubled,
        restUsers,
        action.noiseVariance + module.noiseVariance,
      );
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
