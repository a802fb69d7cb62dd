import { seededRandom } from '../../common/random/seeded-random';
import { dpRelease, type DpBounds, type DpBudget, type DpCandidate, type Uniform } from './dp-release';

/** Fresh randomness per label within one trial (as the keyed uniform gives a fresh value per figure). */
function trialUniform(next: () => number): Uniform {
  const drawn = new Map<string, number>();
  return (label) => {
    if (!drawn.has(label)) drawn.set(label, next());
    return drawn.get(label)!;
  };
}

const TRIALS = 200_000;

/**
 * Runs the release of every candidate `TRIALS` times and counts how often each event happened: for each candidate,
 * whether it was published, and each published count's value (events of the output, one family per figure).
 */
function histogram(candidates: DpCandidate[], budget: DpBudget, bounds: DpBounds, seed: number): Map<string, number> {
  const next = seededRandom(seed);
  const counts = new Map<string, number>();
  const add = (event: string) => counts.set(event, (counts.get(event) ?? 0) + 1);
  for (let trial = 0; trial < TRIALS; trial++) {
    const uniform = trialUniform(next);
    const kept: string[] = [];
    let users = 0;
    for (const c of candidates) {
      const out = dpRelease(c, budget, bounds, uniform);
      kept.push(out ? '1' : '0');
      if (!out) continue;
      users += out.users;
      add(`${c.identity}|users=${out.users}`);
      add(`${c.identity}|occurrences=${out.occurrences}`);
      for (const [name, value] of Object.entries(out.counts)) add(`${c.identity}|${name}=${value}`);
    }
    add(`kept=${kept.join('')}`);
    // The whole output at once, coarsened: which candidates were published and their users together.
    add(`joint=${kept.join('')}:${users}`);
  }
  return counts;
}

/**
 * The audit of one pair of neighbouring data sets. For every observed event S of the output (per family),
 * P[S | D] ≤ e^ε · P[S | D′] + δ must hold in both directions. Measured:
 *  - the hockey-stick divergence Σ max(0, P_D(b) − e^ε P_D′(b)) over each family's buckets — the smallest δ the
 *    pair needs — must stay within δ plus the sampling slack;
 *  - on buckets with at least MIN_SAMPLES samples on both sides, the ratio P_D(b) / P_D′(b) must stay within e^ε
 *    times (1 + 5 standard errors of the ratio's logarithm).
 */
const MIN_SAMPLES = 2000;

function audit(d: Map<string, number>, dPrime: Map<string, number>, budget: DpBudget) {
  const families = new Set([...d.keys(), ...dPrime.keys()].map((event) => event.split('=')[0]));
  const bound = Math.exp(budget.epsilon);
  let worstRatio = 0;
  let worstDelta = 0;
  for (const family of families) {
    const buckets = new Set([...d.keys(), ...dPrime.keys()].filter((e) => e.split('=')[0] === family));
    for (const [p, q] of [
      [d, dPrime],
      [dPrime, d],
    ]) {
      let hockeyStick = 0;
      for (const b of buckets) {
        const np = p.get(b) ?? 0;
        const nq = q.get(b) ?? 0;
        hockeyStick += Math.max(0, np / TRIALS - (bound * nq) / TRIALS);
        if (np >= MIN_SAMPLES && nq >= MIN_SAMPLES) {
          const ratio = np / nq;
          const slack = Math.exp(5 * Math.sqrt(1 / np + 1 / nq));
          expect(ratio).toBeLessThanOrEqual(bound * slack);
          worstRatio = Math.max(worstRatio, ratio);
        }
      }
      // Sampling slack of the divergence: 5 standard errors of a proportion near δ, summed over the buckets.
      const slack = 5 * Math.sqrt((budget.delta + 1 / TRIALS) / TRIALS) * Math.sqrt(buckets.size);
      expect(hockeyStick).toBeLessThanOrEqual(budget.delta + slack);
      worstDelta = Math.max(worstDelta, hockeyStick);
    }
  }
  return { worstRatio, worstDelta, bound };
}

/** `DP_AUDIT_REPORT=1` prints what each audit measured (for the privacy documentation). */
function report(name: string, result: { worstRatio: number; worstDelta: number; bound: number }): void {
  if (process.env.DP_AUDIT_REPORT)
    process.stdout.write(
      `${name}: largest ratio ${result.worstRatio.toFixed(3)} (e^ε = ${result.bound.toFixed(3)}), largest hockey-stick divergence ${result.worstDelta.toFixed(4)} (δ = 0.05)\n`,
    );
}

/** The data set without one user who added to every candidate: one user and `perUser` occurrences fewer each. */
/** A candidate with these counts of users and occurrences, and no further counts. */
function candidate(identity: string, users: number, occurrences: number): DpCandidate {
  return { identity, users, occurrences, counts: {} };
}

function withoutOneUser(candidates: DpCandidate[], perUser: number): DpCandidate[] {
  return candidates.map((c) => ({
    ...c,
    users: c.users - 1,
    occurrences: (c.occurrences ?? 0) - perUser,
    counts: Object.fromEntries(Object.entries(c.counts).map(([name, n]) => [name, n - 1])),
  }));
}

describe('dpRelease: empirical privacy audit on neighbouring data sets', () => {
  const budget: DpBudget = { epsilon: 1, delta: 0.05 };

  it('keeps every output ratio within e^ε and the rest within δ when one user adds to one candidate', () => {
    const bounds = { maxPartitions: 1, maxContributions: 3 };
    const withUser: DpCandidate[] = [{ identity: 'a', users: 6, occurrences: 12, counts: { positive: 4 } }];
    // The user's whole history removed: one user, C occurrences and the positive rating gone.
    const without = withoutOneUser(withUser, 3);
    const result = audit(histogram(withUser, budget, bounds, 1), histogram(without, budget, bounds, 2), budget);
    report('one candidate', result);
    expect(result.worstRatio).toBeGreaterThan(1); // the audit saw the two data sets differ
    expect(result.worstDelta).toBeLessThanOrEqual(budget.delta + 0.01);
  });

  it('holds when the removed user added to L candidates at once', () => {
    const bounds = { maxPartitions: 2, maxContributions: 2 };
    const withUser = [candidate('a', 4, 6), candidate('b', 3, 5)];
    const without = withoutOneUser(withUser, 2);
    const result = audit(histogram(withUser, budget, bounds, 3), histogram(without, budget, bounds, 4), budget);
    report('L = 2 candidates', result);
    expect(result.worstRatio).toBeGreaterThan(1);
  });

  it('detects a mechanism that spends more than it says (the audit can fail)', () => {
    // Claiming L = 1 while the user adds to two candidates doubles the real privacy loss.
    const bounds = { maxPartitions: 1, maxContributions: 1 };
    const withUser = [candidate('a', 6, 6), candidate('b', 6, 6)];
    const without = withoutOneUser(withUser, 1);
    expect(() =>
      audit(histogram(withUser, budget, bounds, 5), histogram(without, budget, bounds, 6), budget),
    ).toThrow();
  });
});
