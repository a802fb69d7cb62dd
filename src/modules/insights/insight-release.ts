import { boundedSql } from '../disclosure/contribution-bounds';
import { dpNoiseVariance, dpRelease, type DpBounds, type DpBudget, type Uniform } from '../disclosure/dp-release';
import type { GenerationContext } from './insight-generator';

/** How a generation publishes counts: as they are (or with INSIGHTS_DP_EPSILON noise), or user-level DP. */
export type InsightReleaseMode =
  | {
      kind: 'threshold';
      count: (identity: string, trueCount: number) => number;
      /** Of the noise `count` adds (INSIGHTS_DP_EPSILON), or 0. */
      noiseVariance: number;
    }
  | {
      kind: 'dp';
      /** Each family's share of the run's (ε, δ). */
      budget: DpBudget;
      bounds: DpBounds;
      families: ReadonlySet<string>;
      period: string;
      uniform: Uniform;
    };

/** `context.dp` and `context.release` for one run. */
export function insightReleases(mode: InsightReleaseMode): Pick<GenerationContext, 'dp' | 'release'> {
  if (mode.kind === 'threshold') {
    return {
      dp: null,
      release: (family, partition, users, counts = {}) => {
        const noised = (name: string, value: number) => mode.count(`${family}|${partition}|${name}`, value);
        return {
          ...Object.fromEntries(Object.entries(counts).map(([name, value]) => [name, noised(name, value)])),
          users: noised('users', users),
          noiseVariance: mode.noiseVariance,
        };
      },
    };
  }
  return {
    dp: { bounded: (relation, key) => boundedSql(relation, key, mode.period, mode.bounds.maxPartitions) },
    release: (family, partition, users, counts = {}) => {
      if (!mode.families.has(family)) throw new Error(`release family "${family}" was not declared`);
      const out = dpRelease(
        { identity: `${family}|${partition}|${mode.period}`, users, counts },
        mode.budget,
        mode.bounds,
        mode.uniform,
      );
      const noiseVariance = dpNoiseVariance(mode.budget, mode.bounds, Object.keys(counts).length);
      return out ? { ...out.counts, users: out.users, noiseVariance } : null;
    },
  };
}
