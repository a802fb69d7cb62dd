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

  it('refuses nonsensical bounds', () => {
    expect(() => new TtlLruCache(0, 1)).toThrow(RangeError);
    expect(() => new TtlLruCache(1, 0)).toThrow(RangeError);
  });
});
