/**
 * A test double that implements only what the test sets up: calling anything else fails the test instead of
 * silently returning undefined.
 */
export function strictFake<T extends object>(impl: Partial<T>, name = 'fake'): T {
  return new Proxy(impl as T, {
    get(target, prop, receiver) {
      if (prop in target || typeof prop === 'symbol' || prop === 'then') return Reflect.get(target, prop, receiver);
      throw new Error(`${name}.${String(prop)} was called but not set up`);
    },
  });
}
