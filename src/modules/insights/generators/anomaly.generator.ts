import { Injectable } from '@nestjs/common';
import { CONSENTED_EVENTS, InsightGeneratorBase } from '../insight-generator';
import type { GeneratedInsight, GenerationContext } from '../insight-generator';
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
export class AnomalyGenerator extends InsightGeneratorBase('anomaly', { releaseFamilies: ['daily'] }) {
  async generate(context: GenerationContext): Promise<GeneratedInsight[]> {
    const { baselineDays, anomalyZ } = context.settings;
    const dayEnd = new Date(Math.floor(context.period.to.getTime() / DAY_MS) * DAY_MS);
    const dayStart = new Date(dayEnd.getTime() - DAY_MS);
    const baselineStart = new Date(dayStart.getTime() - baselineDays * DAY_MS);
    // Per module: each day's distinct users and users correcting (the rows with a null day: the module's users).
    const rows = await context.query<{ module: string; day: number | null; users: number; correcting: number }>(
      `WITH per_user AS (
         SELECT module, floor(extract(epoch FROM timestamp) / 86400)::int AS day, user_id,
                bool_or(event_type = 'correction') AS corrected
           FROM ${CONSENTED_EVENTS} e GROUP BY 1, 2, 3
       )
       SELECT module, day, count(DISTINCT user_id)::int AS users, count(*) FILTER (WHERE corrected)::int AS correcting
         FROM ${context.dp ? context.dp.bounded('per_user', 'module') : 'per_user'} u
        GROUP BY GROUPING SETS ((module, day), (module))`,
      [baselineStart, dayEnd],
    );
    const firstDay = baselineStart.getTime() / DAY_MS;
    const exact = new Map<string, { users: number; days: Record<string, number> }>();
    for (const row of rows) {
      const m = exact.get(row.module) ?? { users: 0, days: {} };
      exact.set(row.module, m);
      if (row.day === null) m.users = row.users;
      else {
        m.days[`users_${row.day - firstDay}`] = row.users;
        m.days[`correcting_${row.day - firstDay}`] = row.correcting;
      }
    }
    // Released once per module, every day of both metrics together (the days without events count 0).
    const series = new Map<string, { users: number[]; correcting: number[] }>();
    for (const [module, m] of exact) {
      const counts: Record<string, number> = {};
      for (let i = 0; i <= baselineDays; i++)
        for (const column of ['users', 'correcting']) counts[`${column}_${i}`] = m.days[`${column}_${i}`] ?? 0;
      const released = context.release('daily', module, m.users, counts);
      if (!released) continue;
      const day = (column: string) => Array.from({ length: baselineDays + 1 }, (_, i) => released[`${column}_${i}`]);
      series.set(module, { users: day('users'), correcting: day('correcting') });
    }
    const insights: GeneratedInsight[] = [];
    for (const [module, s] of series) {
      for (const { metric, label, column } of METRICS) {
        const days = s[column];
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
