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

  it('keeps a read entry of the older half from being the next eviction', () => {
    const sut = new TtlLruCache<string, number>(4, 10_000, clock);
    for (const k of ['a', 'b', 'c', 'd']) sut.set(k, 1);
    expect(sut.get('a')).toBe(1); // oldest: moved to the young end
    sut.set('e', 1);
    sut.set('f', 1);
    expect(sut.get('b')).toBeUndefined();
    expect(sut.get('c')).toBeUndefined();
    expect(sut.get('a')).toBe(1);
  });

  it('evicts within half the bound of true LRU order: a read of a young entry does not move it', () => {
    const sut = new TtlLruCache<string, number>(4, 10_000, clock);
    for (const k of ['a', 'b', 'c', 'd']) sut.set(k, 1);
    expect(sut.get('d')).toBe(1); // youngest: stays where it is
    expect(sut.get('c')).toBe(1); // one placed after it, under half the bound: stays too
    sut.set('e', 1);
    sut.set('f', 1);
    sut.set('g', 1);
    // c was read after a and b were placed, yet goes before d would have in true LRU order: within the bound.
    expect(sut.get('c')).toBeUndefined();
    expect(sut.get('d')).toBe(1);
    expect(sut.size).toBe(4);
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
