import { Injectable } from '@nestjs/common';
import { InsightGeneratorBase, percent } from '../insight-generator';
import type { GeneratedInsight, GenerationContext } from '../insight-generator';
import { ACTIVITY, periodActivity, type ModuleActivity } from '../period-activity';
import { countChangeTest, twoProportionTest, type TestResult } from '../significance';

interface Measure {
  metric: string;
  label: string;
  /** [published count, denominator] of a period; a null denominator is a plain count. */
  of(a: ModuleActivity): [number, number | null];
}

const MEASURES: Measure[] = [
  { metric: 'active_users', label: 'Active users', of: (a) => [a.users, null] },
  { metric: 'correction_rate', label: 'Share of users correcting', of: (a) => [a.correcting, a.users] },
  { metric: 'satisfaction', label: 'Share of satisfied raters', of: (a) => [a.satisfied, a.rating] },
];

/**
 * Period over period change per module (the last INSIGHTS_PERIOD_DAYS against the same span before): active users
 * (a test of two counts), the share of users who corrected something and the share of raters who were satisfied
 * (two-proportion z-tests). Only changes with p < INSIGHTS_ALPHA become insights, and only when every count shown
 * is 0 or at least k users.
 */
@Injectable()
export class TrendGenerator extends InsightGeneratorBase('trend', { releaseFamilies: [ACTIVITY] }) {
  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    const { current, previous } = await periodActivity(context);
    return [...current].flatMap(([module, now]) => {
      const before = previous.get(module);
      if (!before) return [];
      return MEASURES.map((measure) => this.compare(context, module, measure, now, before)).filter((i) => i !== null);
    });
  }

  private compare(
    context: GenerationContext,
    module: string,
    measure: Measure,
    now: ModuleActivity,
    before: ModuleActivity,
  ): GeneratedInsight | null {
    const [x1, n1] = measure.of(now);
    const [x2, n2] = measure.of(before);
    const counts = [x1, n1, x2, n2].filter((v): v is number => v !== null);
    if (!counts.every((c) => context.publishable(c))) return null;
    const rate = n1 !== null;
    if (rate && !(n1 > 0 && n2! > 0)) return null;
    const value = rate ? x1 / n1 : x1;
    const baseline = rate ? x2 / n2! : x2;
    // Noised counts (DP mode, INSIGHTS_DP_EPSILON) vary more than the data alone: the tests add the noise's variance.
    const noise = now.noiseVariance;
    const test: TestResult = rate ? twoProportionTest(x1, n1, x2, n2!, noise) : countChangeTest(x1, x2, noise);
    if (!(test.p < context.alpha)) return null;
    const change = rate ? value - baseline : baseline > 0 ? (value - baseline) / baseline : null;
    const direction = value > baseline ? 'up' : 'down';
    const shown = rate
      ? `${percent(baseline)} → ${percent(value)}`
      : `${baseline} → ${value}${change === null ? '' : ` (${change > 0 ? '+' : ''}${percent(change)})`}`;
    return {
      module,
      key: measure.metric,
      title: `${measure.label} in ${module} ${direction}: ${shown}`,
      metric: measure.metric,
      value,
      baseline,
      change,
      significance: 1 - test.p,
      support: rate ? Math.min(n1, n2!) : Math.min(...[x1, x2].filter((c) => c > 0)),
      evidence: {
        patternIds: [],
        aggregate: rate ? { current: x1, currentOf: n1, previous: x2, previousOf: n2! } : { current: x1, previous: x2 },
      },
      stats: { z: test.z, p: test.p },
    };
  }
}
