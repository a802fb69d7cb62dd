/**
 * Runs the calls for one key one after another in this process, waiting in memory (not on a pooled connection);
 * at most `maxPending` per key (running included), beyond which `busy()` is thrown at once. Per-user changes that
 * serialize on a database lock anyway (consent changes, with their withdrawal purge) go through it, so copies of
 * one user's request cannot occupy the connection pool while they wait for each other.
 */
export class PerKeySerialQueue {
  private readonly queues = new Map<string, { tail: Promise<unknown>; pending: number }>();

  constructor(
    private readonly maxPending: number,
    private readonly busy: () => Error,
  ) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let queue = this.queues.get(key);
    if (!queue) this.queues.set(key, (queue = { tail: Promise.resolve(), pending: 0 }));
    if (queue.pending >= this.maxPending) throw this.busy();
    queue.pending++;
    const result = queue.tail.then(work);
    queue.tail = result.catch(() => undefined);
    try {
      return await result;
    } finally {
      if (--queue.pending === 0) this.queues.delete(key);
    }
  }

  pending(key: string): number {
    return this.queues.get(key)?.pending ?? 0;
  }
}
