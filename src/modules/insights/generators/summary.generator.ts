import { Injectable } from '@nestjs/common';
import { InsightGeneratorBase } from '../insight-generator';
import type { GeneratedInsight, GenerationContext } from '../insight-generator';
import { ACTIVITY, periodActivity } from '../period-activity';

/**
 * A per-module overview of the period: active users, and users correcting, raters and satisfied raters as far as
 * they can be shown together without a small cell (`publishableCounts`), with the module's most supported published
 * patterns as evidence.
 */
@Injectable()
export class SummaryGenerator extends InsightGeneratorBase('summary', { releaseFamilies: [ACTIVITY] }) {
  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    const { current } = await periodActivity(context);
    const top = await context.query<{ module: string; ids: string[] }>(
      `SELECT module, (array_agg(id::text ORDER BY support DESC, id))[1:5] AS ids FROM published_patterns GROUP BY module`,
    );
    const topByModule = new Map(top.map((t) => [t.module, t.ids]));
    const insights: GeneratedInsight[] = [];
    for (const [module, a] of current) {
      const users = a.users;
      if (!(users >= context.minUserSupport)) continue;
      const figures = context.publishableCounts({ users }, [
        ['correcting', a.correcting],
        ['rating', a.rating],
        ['satisfied', a.satisfied],
      ]);
      const parts = [
        `${users} active users`,
        figures.correcting !== undefined ? `${figures.correcting} correcting` : null,
        figures.satisfied !== undefined && figures.rating
          ? `${figures.satisfied} of ${figures.rating} raters satisfied`
          : null,
      ].filter(Boolean);
      insights.push({
        module,
        key: 'overview',
        title: `${module} over the period: ${parts.join(', ')}`,
        metric: 'active_users',
        value: users,
        baseline: null,
        change: null,
        significance: 1,
        support: users,
        evidence: { patternIds: topByModule.get(module) ?? [], aggregate: figures },
      });
    }
    return insights;
  }
}
