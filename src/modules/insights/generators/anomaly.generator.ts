import { Injectable } from '@nestjs/common';
import {
  CONSENTED_EVENTS,
  type GeneratedInsight,
  type GenerationContext,
  type InsightGenerator,
} from '../insight-generator';
import { robustZ, twoSidedP } from '../significance';

const DAY_MS = 86_400_000;
const METRICS = [
  { metric: 'daily_active_users', label: 'Active users', column: 'users' },
  { metric: 'daily_correcting_users', label: 'Users correcting', column: 'correcting' },
] as const;

/**
 * The last complete UTC day of each daily metric (distinct active users, distinct users correcting) against the
 * INSIGHTS_BASELINE_DAYS before it, per module, by a robust z-score (median and MAD), so one earlier outlier in the
 * baseline does not hide the next one. |z| ≥ INSIGHTS_ANOMALY_Z is an anomaly; a typical day (the median) must have
 * k users, and the day's count must be 0 or at least k.
 */
@Injectable()
export class AnomalyGenerator implements InsightGenerator {
  readonly name = 'anomaly';
  readonly insightType = 'anomaly';

  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    const { baselineDays, anomalyZ } = context.settings;
    const dayEnd = new Date(Math.floor(context.period.to.getTime() / DAY_MS) * DAY_MS);
    const dayStart = new Date(dayEnd.getTime() - DAY_MS);
    const baselineStart = new Date(dayStart.getTime() - baselineDays * DAY_MS);
    const rows = await context.query<{ module: string; day: number; users: number; correcting: number }>(
      `SELECT module, floor(extract(epoch FROM timestamp) / 86400)::int AS day,
              count(DISTINCT user_id)::int AS users, count(DISTINCT user_id) FILTER (WHERE event_type = 'correction')::int AS correcting
         FROM ${CONSENTED_EVENTS} e GROUP BY 1, 2`,
      [baselineStart, dayEnd],
    );
    const firstDay = baselineStart.getTime() / DAY_MS;
    const series = new Map<string, { users: number[]; correcting: number[] }>();
    for (const row of rows) {
      let s = series.get(row.module);
      if (!s)
        series.set(
          row.module,
          (s = {
            users: new Array<number>(baselineDays + 1).fill(0),
            correcting: new Array<number>(baselineDays + 1).fill(0),
          }),
        );
      s.users[row.day - firstDay] = row.users;
      s.correcting[row.day - firstDay] = row.correcting;
    }
    const insights: GeneratedInsight[] = [];
    for (const [module, s] of series) {
      for (const { metric, label, column } of METRICS) {
        const days = s[column].map((n, i) => context.count(`anomaly|${module}|${metric}|${firstDay + i}`, n));
        const last = days[baselineDays];
        const baseline = days.slice(0, baselineDays);
        const { z, median } = robustZ(last, baseline);
        if (!(Math.abs(z) >= anomalyZ) || median < context.minUserSupport || !context.publishable(last)) continue;
        const day = dayStart.toISOString().slice(0, 10);
        insights.push({
          module,
          key: metric,
          title: `${label} in ${module} on ${day}: ${last} against a typical ${median} (robust z ${Number.isFinite(z) ? z.toFixed(1) : z > 0 ? '∞' : '-∞'})`,
          metric,
          value: last,
          baseline: median,
          change: median > 0 ? (last - median) / median : null,
          significance: 1 - twoSidedP(z),
          support: Math.min(...[last, Math.floor(median)].filter((c) => c > 0)),
          period: { from: dayStart, to: dayEnd },
          evidence: { patternIds: [], aggregate: { day: last, baselineMedian: median } },
          stats: { z: Number.isFinite(z) ? z : Math.sign(z) * Number.MAX_VALUE, baselineDays },
        });
      }
    }
    return insights;
  }
}
