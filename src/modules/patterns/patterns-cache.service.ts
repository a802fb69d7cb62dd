import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { EpochCache, EpochCacheContext } from '../../cache/epoch-cache';
import { PATTERNS_MINED, type PatternsMinedEvent } from './mining.service';
import { MiningRuns } from './mining-runs';

/** Pattern reads, cached per mining run (`EpochCache`): a finished run moves every instance to its answers. */
@Injectable()
export class PatternsCache extends EpochCache implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(context: EpochCacheContext, runs: MiningRuns) {
    super(context, { name: 'patterns', latestRunId: () => runs.latestFinishedId() });
  }

  @OnEvent(PATTERNS_MINED)
  async mined(event: PatternsMinedEvent): Promise<void> {
    await this.advanceTo(event.runId);
  }
}
