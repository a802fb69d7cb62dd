import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { EpochCache, EpochCacheContext } from '../../cache/epoch-cache';
import { INSIGHTS_GENERATED, type InsightsGeneratedEvent } from './generation.service';
import { InsightRuns } from './insight-runs';

/** Insight reads, cached per generation (`EpochCache`): a finished generation moves every instance to its answers. */
@Injectable()
export class InsightsCache extends EpochCache implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(context: EpochCacheContext, runs: InsightRuns) {
    super(context, { name: 'insights', latestRunId: () => runs.latestFinishedId() });
  }

  @OnEvent(INSIGHTS_GENERATED)
  async generated(event: InsightsGeneratedEvent): Promise<void> {
    await this.advanceTo(event.runId);
  }
}
