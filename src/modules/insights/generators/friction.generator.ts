import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { CONSENTED_EVENTS } from '../../patterns/pattern-miner';
import { wilsonLowerBound } from '../../patterns/statistics';
import { percent, type GeneratedInsight, type GenerationContext, type InsightGenerator } from '../insight-generator';
import { twoProportionTest } from '../significance';

interface ActionTrouble {
  module: string;
  action: string;
  users: number;
  troubled: number;
  feedback_pattern: string | null;
}

/**
 * Where users struggle: per module and action over the period, the share of its users who were troubled by it —
 * corrected it, had it fail or abandoned it (interaction outcome), or rated it more negatively than positively.
 * An action is a friction point when the Wilson lower bound of that share reaches INSIGHTS_FRICTION_RATE and the
 * share is significantly above the rest of its module's (one-sided two-proportion test, p < INSIGHTS_ALPHA).
 * Evidence: the action's feedback pattern, when one is published.
 */
@Injectable()
export class FrictionGenerator implements InsightGenerator {
  readonly name = 'friction';
  readonly insightType = 'friction';

  constructor(private readonly config: AppConfig) {}

  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    const rows = await context.query<ActionTrouble>(
      `WITH per_user AS (
         SELECT module, action, user_id,
                bool_or(event_type = 'correction') AS corrected,
                bool_or(event_type = 'interaction' AND outcome IN ('failure', 'abandoned')) AS failed,
                count(*) FILTER (WHERE event_type = 'feedback' AND (rating <= 2 OR sentiment = 'negative'))
                  > count(*) FILTER (WHERE event_type = 'feedback' AND (rating >= 4 OR sentiment = 'positive')) AS dissatisfied
           FROM ${CONSENTED_EVENTS} e GROUP BY module, action, user_id
       )
       SELECT a.module, a.action, count(*)::int AS users, count(*) FILTER (WHERE corrected OR failed OR dissatisfied)::int AS troubled,
              (SELECT g.id::text FROM global_patterns g WHERE g.status = 'active' AND g.pattern_type = 'feedback' AND g.module = a.module AND g.signature = a.action) AS feedback_pattern
         FROM per_user a GROUP BY a.module, a.action`,
      [context.period.from, context.period.to],
    );
    const byModule = new Map<string, ActionTrouble[]>();
    for (const row of rows) byModule.set(row.module, [...(byModule.get(row.module) ?? []), row]);
    const insights: GeneratedInsight[] = [];
    for (const [module, actions] of byModule) {
      const id = (action: string, part: string) => `friction|${module}|${action}|${part}`;
      const noised = actions.map((a) => ({ ...a, users: context.count(id(a.action, 'users'), a.users), troubled: context.count(id(a.action, 'troubled'), a.troubled) }));
      const moduleUsers = noised.reduce((sum, a) => sum + a.users, 0);
      const moduleTroubled = noised.reduce((sum, a) => sum + a.troubled, 0);
      for (const a of noised) {
        if (!(a.users >= context.minUserSupport) || !context.publishable(a.troubled)) continue;
        const rest = { users: moduleUsers - a.users, troubled: moduleTroubled - a.troubled };
        const lower = wilsonLowerBound(a.troubled, a.users);
        if (lower < this.config.insights.frictionRate || rest.users < context.minUserSupport) continue;
        const test = twoProportionTest(a.troubled, a.users, rest.troubled, rest.users);
        const p = test.z > 0 ? test.p / 2 : 1;
        if (!(p < context.alpha)) continue;
        const share = a.troubled / a.users;
        const baseline = rest.troubled / rest.users;
        insights.push({
          module,
          key: a.action,
          title: `${a.action} in ${module} troubles ${percent(share)} of its users (rest of the module: ${percent(baseline)})`,
          metric: 'troubled_share',
          value: share,
          baseline,
          change: share - baseline,
          significance: 1 - p,
          support: a.users,
          evidence: { patternIds: a.feedback_pattern ? [a.feedback_pattern] : [], aggregate: { users: a.users, troubled: a.troubled, restUsers: rest.users, restTroubled: rest.troubled } },
          stats: { wilsonLower: lower, z: test.z, p },
        });
      }
    }
    return insights;
  }
}
