interface Entry<V> {
  value: V;
  expiresAt: number;
  /** The value of `placements` when the entry was last moved to the young end. */
  placedAt: number;
}

/**
 * A bounded least-recently-used map whose entries also expire after `ttlMs`. A `Map` keeps insertion order,
 * so re-inserting on read moves an entry to the young end and the oldest entry is always the first key.
 * A read moves an entry only once it has fallen into the older half (at least half the bound placed after it):
 * one in the younger half cannot be the next eviction, and skipping the delete and re-insert keeps hot reads to
 * one map lookup. Evictions stay least-recently-used to within half the bound.
 */
export class TtlLruCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly youngSpan: number;
  private placements = 0;
  private invalidations = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive');
    this.youngSpan = Math.max(1, Math.floor(maxEntries / 2));
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Counts explicit removals (`delete`, `clear`). Take it before reading the source of truth and store with
   * `setIfUnchanged`: a value read while an invalidation happened (it may predate it) is then not cached.
   */
  get generation(): number {
    return this.invalidations;
  }

  setIfUnchanged(key: K, value: V, generation: number, ttlMs = this.ttlMs): void {
    if (generation === this.invalidations) this.set(key, value, ttlMs);
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    if (this.placements - entry.placedAt >= this.youngSpan) {
      this.entries.delete(key);
      entry.placedAt = ++this.placements;
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  /** Stores `value`; `ttlMs` overrides the cache's lifetime for this entry. */
  set(key: K, value: V, ttlMs = this.ttlMs): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs, placedAt: ++this.placements });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): boolean {
    this.invalidations += 1;
    return this.entries.delete(key);
  }

  clear(): void {
    this.invalidations += 1;
    this.entries.clear();
  }

  /** Drops every expired entry (reads only drop the entry they hit). */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
