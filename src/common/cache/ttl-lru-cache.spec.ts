import { TtlLruCache } from './ttl-lru-cache';

describe(TtlLruCache.name, () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000;
  });

  it('evicts the least recently used entry beyond its bound', () => {
    const sut = new TtlLruCache<string, number>(2, 10_000, clock);
    sut.set('a', 1);
    sut.set('b', 2);
    expect(sut.get('a')).toBe(1);
    sut.set('c', 3);
    expect(sut.get('b')).toBeUndefined();
    expect(sut.get('a')).toBe(1);
    expect(sut.get('c')).toBe(3);
    expect(sut.size).toBe(2);
  });

  it('expires entries after the TTL, counted from when they were set', () => {
    const sut = new TtlLruCache<string, number>(10, 1_000, clock);
    sut.set('a', 1);
    now += 999;
    expect(sut.get('a')).toBe(1);
    now += 1;
    expect(sut.get('a')).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('deletes and clears', () => {
    const sut = new TtlLruCache<string, number>(10, 1_000, clock);
    sut.set('a', 1);
    sut.set('b', 2);
    expect(sut.delete('a')).toBe(true);
    expect(sut.get('a')).toBeUndefined();
    sut.clear();
    expect(sut.get('b')).toBeUndefined();
  });

  it('does not store a value read before an invalidation that happened meanwhile', () => {
    const sut = new TtlLruCache<string, number>(10, 1_000, clock);
    const before = sut.generation;
    sut.delete('a'); // e.g. a shred announced while the read was in flight
    sut.setIfUnchanged('a', 1, before);
    expect(sut.get('a')).toBeUndefined();
    sut.setIfUnchanged('a', 2, sut.generation);
    expect(sut.get('a')).toBe(2);
    const again = sut.generation;
    sut.set('b', 3); // plain writes and LRU evictions are not invalidations
    sut.setIfUnchanged('c', 4, again);
    expect(sut.get('c')).toBe(4);
  });

  it('refuses nonsensical bounds', () => {
    expect(() => new TtlLruCache(0, 1)).toThrow(RangeError);
    expect(() => new TtlLruCache(1, 0)).toThrow(RangeError);
  });
});
