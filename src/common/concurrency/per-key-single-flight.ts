import { currentRequestId } from '../http/request-context';

/**
 * At most one `work` per key at a time in this process, without holding anything while refused: a second call for
 * a key that is running gets `busy(runningRequestId)` thrown at once. Long per-user operations (erasure, export)
 * use it so one user cannot occupy the connection pool with copies of the same request.
 */
export class PerKeySingleFlight {
  private readonly running = new Map<string, string | undefined>();

  constructor(private readonly busy: (runningRequestId: string | undefined) => Error) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (this.running.has(key)) throw this.busy(this.running.get(key));
    this.running.set(key, currentRequestId());
    try {
      return await work();
    } finally {
      this.running.delete(key);
    }
  }

  /**
   * Like `run` for a stream, claimed now (so a refusal comes before any answer is sent): the key is held until the
   * stream ends, fails or is closed by its consumer (a stream that is destroyed calls `return`).
   */
  stream<T>(key: string, open: () => AsyncGenerator<T>): AsyncGenerator<T> {
    if (this.running.has(key)) throw this.busy(this.running.get(key));
    this.running.set(key, currentRequestId());
    let released = false;
    const release = () => {
      if (!released) this.running.delete(key);
      released = true;
    };
    const inner = open();
    const guarded: AsyncGenerator<T> = {
      async next() {
        try {
          const result = await inner.next();
          if (result.done) release();
          return result;
        } catch (error) {
          release();
          throw error;
        }
      },
      async return(value) {
        release();
        return inner.return(value);
      },
      async throw(error) {
        release();
        return inner.throw(error);
      },
      [Symbol.asyncIterator]() {
        return guarded;
      },
      async [Symbol.asyncDispose]() {
        release();
        await inner.return(undefined);
      },
    };
    return guarded;
  }

  isRunning(key: string): boolean {
    return this.running.has(key);
  }
}
