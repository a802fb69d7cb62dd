import { discreteLaplaceProbability, discreteLaplaceQuantile } from './discrete-laplace';

describe('discrete Laplace noise', () => {
  it.each([
    [0.1, 1],
    [0.5, 1],
    [1, 1],
    [2, 1],
    [1, 5],
  ])('samples each integer with its probability (ε = %d, sensitivity %d)', (epsilon, sensitivity) => {
    const steps = 2_000_000;
    const seen = new Map<number, number>();
    for (let i = 0; i < steps; i++) {
      const k = discreteLaplaceQuantile((i + 0.5) / steps, epsilon, sensitivity);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    for (let k = -6; k <= 6; k++) {
      const expected = discreteLaplaceProbability(k, epsilon, sensitivity);
      // A uniform grid of u gives each k its share of the unit interval, to within one step per boundary.
      expect(Math.abs((seen.get(k) ?? 0) / steps - expected)).toBeLessThan(2 / steps + 1e-12);
    }
  });

  it('is symmetric around 0 and integer valued', () => {
    for (const u of [0.001, 0.2, 0.37, 0.5, 0.63, 0.8, 0.999]) {
      const k = discreteLaplaceQuantile(u, 0.7);
      expect(Number.isInteger(k)).toBe(true);
      expect(discreteLaplaceQuantile(1 - u, 0.7)).toBe(-k === 0 ? 0 : -k);
    }
  });

  it('refuses u outside (0, 1)', () => {
    expect(() => discreteLaplaceQuantile(0, 1)).toThrow(RangeError);
    expect(() => discreteLaplaceQuantile(1, 1)).toThrow(RangeError);
  });
});
