import { countChangeTest, median, normalCdf, robustZ, twoProportionTest, twoSidedP } from './significance';

describe('significance', () => {
  it('normalCdf matches known quantiles', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-2.5758293035489)).toBeCloseTo(0.005, 6);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(twoSidedP(1.959963984540054)).toBeCloseTo(0.05, 6);
  });

  it('two-proportion test: a textbook case, and no test without variation', () => {
    // 60/100 against 40/100: pooled 0.5, se = sqrt(0.25 · 0.02) = 0.0707, z = 2.828.
    const r = twoProportionTest(60, 100, 40, 100);
    expect(r.z).toBeCloseTo(2.8284, 3);
    expect(r.p).toBeCloseTo(0.00468, 4);
    expect(twoProportionTest(0, 100, 0, 100).p).toBe(1);
    expect(twoProportionTest(5, 0, 1, 10).p).toBe(1);
  });

  it('count change test: equal counts are no change, a doubling of 100 is significant', () => {
    expect(countChangeTest(100, 100)).toEqual({ z: 0, p: 1 });
    const r = countChangeTest(200, 100);
    expect(r.z).toBeCloseTo(100 / Math.sqrt(300), 10);
    expect(r.p).toBeLessThan(1e-6);
  });

  it('adds the variance of noised counts: a change within the noise is no longer significant', () => {
    expect(countChangeTest(130, 100).p).toBeLessThan(0.05);
    // Noise of variance 400 on each count (a standard deviation of 20): the same change is well within it.
    expect(countChangeTest(130, 100, 400).p).toBeGreaterThan(0.2);
    expect(countChangeTest(130, 100, 400).z).toBeCloseTo(30 / Math.sqrt(230 + 800), 12);
    expect(twoProportionTest(40, 100, 20, 100).p).toBeLessThan(0.01);
    expect(twoProportionTest(40, 100, 20, 100, 400).p).toBeGreaterThan(0.01);
  });

  it('robust z: one outlier in the baseline does not hide the next', () => {
    const baseline = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100, 1000, 100];
    const { z, median: centre } = robustZ(1000, baseline);
    expect(centre).toBe(100);
    expect(z).toBeGreaterThan(100);
    expect(Math.abs(robustZ(101, baseline).z)).toBeLessThan(1);
    expect(median([3, 1, 2, 4])).toBe(2.5);
  });

  it('robust z of a constant baseline: no change is 0, any change is infinite', () => {
    expect(robustZ(5, [5, 5, 5]).z).toBe(0);
    expect(robustZ(6, [5, 5, 5]).z).toBe(Number.POSITIVE_INFINITY);
    // More than half identical: the mean absolute deviation stands in for the MAD.
    expect(Number.isFinite(robustZ(9, [5, 5, 5, 5, 9]).z)).toBe(true);
  });
});
