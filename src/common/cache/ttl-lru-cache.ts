/**
 * A bounded least-recently-used map whose entries also expire after `ttlMs`. A `Map` keeps insertion order,
 * so re-inserting on read moves an entry to the young end and the oldest entry is always the first key.
 */
export class TtlLruCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private invalidations = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
    if (!(ttlMs > 0)) throw new RangeError('ttlMs must be positive');
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
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value`; `ttlMs` overrides the cache's lifetime for this entry. */
  set(key: K, value: V, ttlMs = this.ttlMs): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
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
