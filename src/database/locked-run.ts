import type { PoolClient } from 'pg';
import { errorMessage } from '../common/errors/error-message';
import type { SqlPool } from './sql-pool.service';

/** A run that started (its id, and a promise of its outcome), or the id of the one another caller is running. */
export type LockedRunStart<S> =
  { started: true; runId: string; finished: Promise<S> } | { started: false; runningId: string | null };

export interface LockedRunSteps<S> {
  /** Records the run on the lock's connection; returns its id. */
  open(client: PoolClient): Promise<string>;
  /** The work, on the lock's connection; its result settles `finished`. */
  execute(client: PoolClient, runId: string): Promise<S>;
  /** The lock was held elsewhere: the id of the run in progress, when it can be told. */
  skipped(): Promise<string | null>;
  /** The work failed after the run was announced. */
  failed(error: unknown): void;
}

/**
 * Runs one job at a time across every instance: under a PostgreSQL session advisory lock held by the run's own
 * connection (if the instance dies, the lock goes with it). Resolves as soon as the run is recorded (the work goes
 * on; `finished` settles when it ends), or with `started: false` and the running run's id.
 */
export function startLockedRun<S>(sql: SqlPool, lock: string, steps: LockedRunSteps<S>): Promise<LockedRunStart<S>> {
  return new Promise<LockedRunStart<S>>((resolveStart, rejectStart) => {
    let announced = false;
    let finishedResolve!: (summary: S) => void;
    let finishedReject!: (error: unknown) => void;
    const finished = new Promise<S>((resolve, reject) => {
      finishedResolve = resolve;
      finishedReject = reject;
    });
    finished.catch(() => undefined); // a caller that ignores `finished` must not leave an unhandled rejection
    sql
      .withSessionLock(lock, async (client) => {
        const runId = await steps.open(client);
        announced = true;
        resolveStart({ started: true, runId, finished });
        return steps.execute(client, runId);
      })
      .then(
        async (outcome) => {
          if (outcome.acquired) return finishedResolve(outcome.result);
          resolveStart({ started: false, runningId: await steps.skipped().catch(() => null) });
        },
        (error: unknown) => {
          if (!announced) return rejectStart(error instanceof Error ? error : new Error(errorMessage(error)));
          steps.failed(error);
          finishedReject(error);
        },
      );
  });
}
