import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { BlindIndexService } from '../crypto/blind-index.service';
import { uniformFromDigest } from '../disclosure/keyed-uniform';

/** The Laplace(0, scale) quantile at `u` in (0, 1). */
export function laplaceQuantile(u: number, scale: number): number {
  const centred = u - 0.5;
  return -scale * Math.sign(centred) * Math.log(1 - 2 * Math.abs(centred));
}

/**
 * Differential privacy for published counts (INSIGHTS_DP_EPSILON). Each count an insight publishes is a number of
 * distinct users, so one user changes it by at most 1 (sensitivity 1) and Laplace noise of scale 1/ε makes that
 * count ε-differentially private. The noise is derived from a keyed hash (the blind-index root key, its own
 * domain) of the insight's identity and the true count: the same insight over the same data always gets the same
 * noise, so reading it again, or regenerating it, never reveals a fresh sample to average away; new data gives a
 * new sample. Without an epsilon, counts are exact.
 */
@Injectable()
export class InsightNoise {
  constructor(
    private readonly config: AppConfig,
    private readonly keyed: BlindIndexService,
  ) {}

  get enabled(): boolean {
    return this.config.insights.dpEpsilon !== null;
  }

  /** The variance of the noise in a published count (Laplace of scale 1/ε: 2/ε²), 0 without noise. */
  get variance(): number {
    const epsilon = this.config.insights.dpEpsilon;
    return epsilon === null ? 0 : 2 / (epsilon * epsilon);
  }

  /** The count to publish for `identity` (e.g. `trend|editor|users|current`): exact, or noised and rounded (≥ 0). */
  count(identity: string, trueCount: number): number {
    const epsilon = this.config.insights.dpEpsilon;
    if (epsilon === null) return trueCount;
    const u = uniformFromDigest(this.keyed.compute('insight-noise', identity, String(trueCount)));
    return Math.max(0, Math.round(trueCount + laplaceQuantile(u, 1 / epsilon)));
  }
}
