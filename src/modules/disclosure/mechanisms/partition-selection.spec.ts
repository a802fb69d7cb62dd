import { hardThreshold, keepProbability } from './partition-selection';

/**
 * Reference values of Google's differential-privacy library (github.com/google/differential-privacy):
 * - `go/dpagg/select_partition_test.go`, TestPreAggSelectPartitionKeepPartitionProbability (rows marked go);
 * - `cc/algorithms/partition-selection_test.cc`, the NearTruncatedGeometricPartitionSelection tests (rows marked cc;
 *   with L = 1 both libraries compute the same function).
 * `want` maps a number of users to the reference keep probability.
 */
const LN2_TABLE = { 0: 0, 1: 0.1, 2: 0.3, 3: 0.7, 4: 0.9, 5: 1, 6: 1, 1e9: 1 };
const REFERENCE: { source: string; epsilon: number; delta: number; L: number; want: Record<number, number> }[] = [
  // The same budget per candidate: ε = ln 2 and δ = 0.1 for one candidate, or twice that shared by two.
  { source: 'go: ε != 0', epsilon: Math.log(2), delta: 0.1, L: 1, want: LN2_TABLE },
  { source: 'go: ε != 0, non-trivial l0Sensitivity', epsilon: 2 * Math.log(2), delta: 0.2, L: 2, want: LN2_TABLE },
  {
    source: 'go: values chosen so that floor in nCr formula matters',
    epsilon: Math.log(1.5),
    delta: 0.1,
    L: 1,
    want: { 0: 0, 1: 0.1, 2: 0.25, 3: 0.475, 4: 0.716666666667, 5: 0.877777777778, 6: 0.985185185185, 7: 1, 8: 1 },
  },
  {
    source: 'go: precision test, high ε, low δ',
    epsilon: 50,
    delta: 1e-200,
    L: 1,
    want: { 1: 1e-200, 2: 5.184706e-179, 5: 7.225974e-114, 9: 5.22147e-27, 10: 2.707178e-5, 11: 1 },
  },
  {
    source: 'cc: NumUsersEqFirstCrossover, BtwnCrossovers, GreaterThanCrossovers, OneUser',
    epsilon: 0.5,
    delta: 0.02,
    L: 1,
    want: { 1: 0.02, 6: 0.58840484458, 8: 0.86807080625, 15: 1 },
  },
  { source: 'cc: TinyEpsilon', epsilon: 1e-20, delta: 0.02, L: 1, want: { 6: 0.12, 40: 0.8 } },
  { source: 'cc: TinyEpsilonLargeDelta', epsilon: 1e-20, delta: 0.15, L: 1, want: { 3: 0.45 } },
];

describe('partition selection', () => {
  describe.each(REFERENCE)('$source (ε = $epsilon, δ = $delta, L = $L)', ({ epsilon, delta, L, want }) => {
    it.each(Object.entries(want).map(([n, p]) => [Number(n), p]))(
      'keeps a candidate of %d users with the reference probability %d',
      (n, probability) => {
        const got = keepProbability(n, { epsilon, delta, maxPartitions: L });
        expect(Math.abs(got - probability)).toBeLessThan(1e-9);
        // The tiny values are given to seven significant digits: compare them relatively as well.
        if (probability > 0 && probability < 1e-9) expect(Math.abs(got / probability - 1)).toBeLessThan(1e-6);
      },
    );
  });

  it('is the optimal recurrence of Theorem 1 at every n, for many budgets', () => {
    for (const epsilon of [0.05, 0.3, 1, 2.5])
      for (const delta of [1e-9, 1e-5, 1e-2])
        for (const L of [1, 3, 10]) {
          const budget = { epsilon, delta, maxPartitions: L };
          const [e, d] = [epsilon / L, delta / L];
          let previous = 0;
          for (let n = 1; n <= 4000 && previous < 1; n++) {
            const expected = Math.min(Math.exp(e) * previous + d, 1 - Math.exp(-e) * (1 - previous - d), 1);
            const got = keepProbability(n, budget);
            expect(Math.abs(got - expected)).toBeLessThan(1e-9);
            previous = expected;
          }
        }
  });

  it('never lets one user move a keep probability by more than e^ε′ and δ′', () => {
    const budget = { epsilon: 1, delta: 1e-6, maxPartitions: 4 };
    const [e, d] = [1 / 4, 1e-6 / 4];
    for (let n = 1; n < 500; n++) {
      const [with_, without] = [keepProbability(n, budget), keepProbability(n - 1, budget)];
      expect(with_).toBeLessThanOrEqual(Math.exp(e) * without + d + 1e-15);
      expect(1 - without).toBeLessThanOrEqual(Math.exp(e) * (1 - with_) + d + 1e-15);
    }
  });

  it('finds the smallest count that is always kept', () => {
    expect(hardThreshold({ epsilon: Math.log(2), delta: 0.1, maxPartitions: 1 })).toBe(5);
    expect(hardThreshold({ epsilon: 0.5, delta: 0.02, maxPartitions: 1 })).toBe(12);
    const budget = { epsilon: 1, delta: 1e-8, maxPartitions: 5 };
    const t = hardThreshold(budget);
    expect(keepProbability(t, budget)).toBe(1);
    expect(keepProbability(t - 1, budget)).toBeLessThan(1);
  });

  it('refuses a budget that is no budget', () => {
    expect(() => keepProbability(3, { epsilon: 0, delta: 0.1, maxPartitions: 1 })).toThrow(RangeError);
    expect(() => keepProbability(3, { epsilon: 1, delta: 0, maxPartitions: 1 })).toThrow(RangeError);
    expect(() => keepProbability(3, { epsilon: 1, delta: 0.1, maxPartitions: 0 })).toThrow(RangeError);
  });
});
