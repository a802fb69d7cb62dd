import { Inject, Injectable, type Type } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { EpochCache, EpochCacheContext } from './epoch-cache';

/** The run book of the runs whose results a cache holds. */
export interface FinishedRuns {
  latestFinishedId(): Promise<string | null>;
}

/**
 * An epoch cache over one kind of run: named `name`, its epoch the latest run `runs` finished, moved on by the
 * `finished` event ({ runId }). A module declares its cache as `class XCache extends RunEpochCache(...) {}`.
 */
export function RunEpochCache(name: string, runs: Type<FinishedRuns>, finished: string): Type<EpochCache> {
  @Injectable()
  class RunCache extends EpochCache {
    constructor(context: EpochCacheContext, @Inject(runs) book: FinishedRuns) {
      super(context, { name, latestRunId: () => book.latestFinishedId() });
    }

    @OnEvent(finished)
    async onRunFinished(event: { runId: string }): Promise<void> {
      await this.advanceTo(event.runId);
    }
  }
  return RunCache;
}
