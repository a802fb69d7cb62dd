import { Injectable } from '@nestjs/common';
import { GAPPED_PREFIX } from '../../patterns/miners/sequence.miner';
import { CONSENTED_EVENTS, InsightGeneratorBase, percent } from '../insight-generator';
import type { GeneratedInsight, GenerationContext } from '../insight-generator';
import { normalCdf } from '../significance';

/** A correction is recommended when more than this share of the module's correcting users make it. */
export const CORRECTION_SHARE_FLOOR = 0.05;
const DAY_MS = 86_400_000;

interface PatternRow {
  id: string;
  pattern_type: string;
  module: string;
  items: { actions?: string[]; original?: string; corrected?: string };
  support: number;
  confidence: number | null;
  stats: Record<string, number> | null;
}

/** One-sided p-value of "the true share exceeds `floor`" for `successes` of `trials` (normal approximation). */
function aboveFloor(successes: number, trials: number, floor: number): number {
  if (!(trials > 0)) return 1;
  const z = (successes / trials - floor) / Math.sqrt((floor * (1 - floor)) / trials);
  return 1 - normalCdf(z);
}

/**
 * Concrete advice from the published patterns:
 *  - "apply correction X → Y in module M" when the share of the module's correcting users (in the mining window)
 *    who made that correction is significantly above 5 %;
 *  - "suggest B after A in module M" when users who did A did B next significantly more often than
 *    INSIGHTS_MIN_CONFIDENCE (a contiguous sequence's confidence, tested over its users).
 * Significance is 1 − the one-sided p-value; p < INSIGHTS_ALPHA is required. Evidence: the pattern.
 */
@Injectable()
export class RecommendationGenerator extends InsightGeneratorBase('recommendation', {
  releaseFamilies: ['correcting'],
}) {
  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    const patterns = await context.query<PatternRow>(
      `SELECT id::text, pattern_type, module, items, support, confidence, stats FROM published_patterns
        WHERE (pattern_type = 'correction'
           OR (pattern_type = 'sequence' AND signature NOT LIKE '${GAPPED_PREFIX}%' AND jsonb_array_length(items->'actions') = 2))`,
    );
    const windowFrom = new Date(context.period.to.getTime() - context.miningWindowDays * DAY_MS);
    // Each module's correcting users over the mining window (family `correcting`).
    const rows = await context.query<{ module: string; users: number }>(
      `WITH per_user AS (SELECT DISTINCT module, user_id FROM ${CONSENTED_EVENTS} e WHERE event_type = 'correction')
       SELECT module, count(*)::int AS users
         FROM ${context.dp ? context.dp.bounded('per_user', 'module') : 'per_user'} u GROUP BY module`,
      [windowFrom, context.period.to],
    );
    const correcting = new Map<string, number>();
    for (const r of rows) {
      const released = context.release('correcting', r.module, r.users);
      if (released) correcting.set(r.module, released.users);
    }
    return patterns
      .map((pattern) =>
        pattern.pattern_type === 'correction'
          ? this.correction(context, pattern, correcting.get(pattern.module) ?? 0)
          : this.next(context, pattern),
      )
      .filter((insight) => insight !== null);
  }

  private correction(
    context: GenerationContext,
    pattern: PatternRow,
    moduleCorrecting: number,
  ): GeneratedInsight | null {
    const { original, corrected } = pattern.items;
    const support = context.count(`recommendation|${pattern.id}|support`, pattern.support);
    if (
      original === undefined ||
      corrected === undefined ||
      !(support >= context.minUserSupport) ||
      !(moduleCorrecting >= support)
    )
      return null;
    const p = aboveFloor(support, moduleCorrecting, CORRECTION_SHARE_FLOOR);
    if (!(p < context.alpha)) return null;
    const share = support / moduleCorrecting;
    return {
      module: pattern.module,
      key: `correction:${pattern.id}`,
      title: `Apply the correction "${original}" → "${corrected}" in ${pattern.module}: ${support} users (${percent(share)} of those correcting) make it`,
      metric: 'correction_share',
      value: share,
      baseline: CORRECTION_SHARE_FLOOR,
      change: null,
      significance: 1 - p,
      support,
      evidence: { patternIds: [pattern.id], aggregate: { users: support, correctingUsers: moduleCorrecting } },
      stats: { p },
    };
  }

  /**
   * The test counts users (a user's occurrences are not independent): `support` users did B right after A, out of
   * the pattern's `contextUsers`, who did something right after A.
   */
  private next(context: GenerationContext, pattern: PatternRow): GeneratedInsight | null {
    const [first, then] = pattern.items.actions ?? [];
    const support = context.count(`recommendation|${pattern.id}|support`, pattern.support);
    const contextUsers = pattern.stats?.contextUsers;
    if (!first || !then || contextUsers === undefined || !(support >= context.minUserSupport)) return null;
    const users = Math.max(support, context.count(`recommendation|${pattern.id}|context`, contextUsers));
    const confidence = support / users;
    const floor = context.settings.minConfidence;
    const p = aboveFloor(support, users, floor);
    if (!(p < context.alpha)) return null;
    return {
      module: pattern.module,
      key: `next:${first}>${then}`,
      title: `Suggest ${then} after ${first} in ${pattern.module}: ${percent(confidence)} of the users who go on after ${first} do it next`,
      metric: 'next_action_confidence',
      value: confidence,
      baseline: floor,
      change: null,
      significance: 1 - p,
      support,
      evidence: { patternIds: [pattern.id], aggregate: { users: support, contextUsers: users } },
      stats: { p },
    };
  }
}
