import { Injectable } from '@nestjs/common';
import { RunEpochCache } from '../../cache/run-epoch-cache';
import { INSIGHTS_GENERATED } from './generation.service';
import { InsightRuns } from './insight-runs';

/** Insight reads, cached per generation (`EpochCache`): a finished generation moves every instance to its answers. */
@Injectable()
export class InsightsCache extends RunEpochCache('insights', InsightRuns, INSIGHTS_GENERATED) {}
