import type { AppConfig } from '../../config/app-config';
import { BlindIndexService } from '../crypto/blind-index.service';
import { uniformFromDigest } from '../disclosure/keyed-uniform';
import { InsightNoise, laplaceQuantile } from './insight-noise';

function noise(epsilon: number | null, root = Buffer.alloc(32, 7)) {
  const keyed = new BlindIndexService();
  keyed.useRootKey(root);
  return new InsightNoise({ insights: { dpEpsilon: epsilon } } as AppConfig, keyed);
}

describe('InsightNoise', () => {
  it('leaves counts exact without an epsilon', () => {
    const exact = noise(null);
    expect(exact.enabled).toBe(false);
    expect(exact.count('trend|m|users', 42)).toBe(42);
  });

  it('gives the same insight over the same data the same noise; other insights and other keys draw anew', () => {
    const dp = noise(0.5);
    const first = dp.count('trend|editor|active_users|current|0', 1000);
    expect(dp.count('trend|editor|active_users|current|0', 1000)).toBe(first);
    expect(noise(0.5).count('trend|editor|active_users|current|0', 1000)).toBe(first);
    const others = Array.from({ length: 50 }, (_, i) => dp.count(`trend|editor|active_users|current|${i}`, 1000));
    expect(new Set(others).size).toBeGreaterThan(3);
    // Another key draws other noise for the same insight.
    const keyB = Array.from({ length: 50 }, (_, i) =>
      noise(0.5, Buffer.alloc(32, 9)).count(`trend|editor|active_users|current|${i}`, 1000),
    );
    expect(keyB).not.toEqual(others);
  });

  it('has the scale of Laplace(1/ε): mean about 0, mean absolute deviation about 1/ε, variance about 2/ε²', () => {
    for (const epsilon of [0.5, 1, 2]) {
      const dp = noise(epsilon);
      const n = 20_000;
      const draws = Array.from({ length: n }, (_, i) => dp.count(`scale|${i}`, 10_000) - 10_000);
      const mean = draws.reduce((s, d) => s + d, 0) / n;
      const mad = draws.reduce((s, d) => s + Math.abs(d), 0) / n;
      const variance = draws.reduce((s, d) => s + (d - mean) ** 2, 0) / n;
      const b = 1 / epsilon;
      // Rounding to whole users adds at most 1/12 to the variance. Bounds are about 5 standard errors wide.
      expect(Math.abs(mean)).toBeLessThan((5 * Math.sqrt(2) * b) / Math.sqrt(n) + 0.05);
      expect(Math.abs(mad - b)).toBeLessThan(0.06 * b + 0.1);
      expect(Math.abs(variance - 2 * b * b)).toBeLessThan(0.15 * 2 * b * b + 0.1);
    }
  });

  it('never publishes a negative count', () => {
    const dp = noise(0.1);
    for (let i = 0; i < 500; i++) expect(dp.count(`small|${i}`, 0)).toBeGreaterThanOrEqual(0);
  });

  it('maps digests to uniforms in (0, 1) and uniforms to Laplace quantiles', () => {
    expect(uniformFromDigest('0000000000000')).toBeGreaterThan(0);
    expect(uniformFromDigest('fffffffffffff')).toBeLessThan(1);
    expect(laplaceQuantile(0.5, 2)).toBeCloseTo(0, 12);
    // The Laplace CDF at b·ln 2 is 3/4.
    expect(laplaceQuantile(0.75, 2)).toBeCloseTo(2 * Math.log(2), 12);
    expect(laplaceQuantile(0.25, 2)).toBeCloseTo(-2 * Math.log(2), 12);
  });
});
