/**
 * Group commit for small writes: at most `maxInFlight` statements run at once; requests that arrive while all are
 * busy wait and then go together as one statement (up to `maxRows` rows), so under load many single-event requests
 * share one round trip and one commit instead of each paying for its own. A request that finds a free slot runs
 * at once, so an idle service adds no wait.
 *
 * Each request keeps its own all-or-nothing outcome: when the server rejects a combined statement (so nothing of it
 * was stored), its requests are run again one by one through `writeAlone`, so only a request whose own rows fail
 * sees the error; so is a single request whose failure `retryAlone` accepts (a statement that refused to wait for
 * a lock, say, where `writeAlone` waits). Those retries run outside the slots: one request waiting there holds up
 * neither the others of its group nor later writes. Any other failure (a lost connection, where the outcome is
 * unknown) goes to every request of the group, as it would have without grouping.
 */
import { isServerError } from './server-error';

export interface CoalescerOptions {
  maxInFlight: number;
  maxRows: number;
  /** Whether a single request's failed statement should be run again through `writeAlone` (default: never). */
  retryAlone?: (error: unknown) => boolean;
}

interface Waiting<Row, Outcome> {
  rows: Row[];
  resolve: (outcome: Outcome) => void;
  reject: (error: unknown) => void;
}

export class InsertCoalescer<Row, Outcome> {
  private readonly queue: Waiting<Row, Outcome>[] = [];
  private inFlight = 0;

  constructor(
    private readonly write: (rows: Row[]) => Promise<Outcome>,
    private readonly options: CoalescerOptions,
    private readonly writeAlone: (rows: Row[]) => Promise<Outcome> = write,
  ) {}

  /** Resolves with the outcome of the statement that carried `rows` (it may carry other requests' rows too). */
  submit(rows: Row[]): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const group = this.take();
      this.inFlight++;
      void this.run(group).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  /** The oldest waiting requests whose rows fit in one statement (always at least one request). */
  private take(): Waiting<Row, Outcome>[] {
    const group = [this.queue.shift()!];
    let rows = group[0].rows.length;
    while (this.queue.length > 0 && rows + this.queue[0].rows.length <= this.options.maxRows) {
      const next = this.queue.shift()!;
      rows += next.rows.length;
      group.push(next);
    }
    return group;
  }

  private async run(group: Waiting<Row, Outcome>[]): Promise<void> {
    try {
      const outcome = await this.write(group.length === 1 ? group[0].rows : group.flatMap((w) => w.rows));
      for (const w of group) w.resolve(outcome);
    } catch (error) {
      const again = isServerError(error) && (group.length > 1 || this.options.retryAlone?.(error) === true);
      if (!again) {
        for (const w of group) w.reject(error);
        return;
      }
      // Each request again on its own (they are few and failures are rare), without holding this slot.
      for (const w of group) void this.settle(w, w.rows);
    }
  }

  private async settle(waiting: Waiting<Row, Outcome>, rows: Row[]): Promise<void> {
    try {
      waiting.resolve(await this.writeAlone(rows));
    } catch (error) {
      waiting.reject(error);
    }
  }
}
