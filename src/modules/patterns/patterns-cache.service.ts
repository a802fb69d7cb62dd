import { Injectable } from '@nestjs/common';
import { RunEpochCache } from '../../cache/run-epoch-cache';
import { PATTERNS_MINED } from './mining.service';
import { MiningRuns } from './mining-runs';

/** Pattern reads, cached per mining run (`EpochCache`): a finished run moves every instance to its answers. */
@Injectable()
export class PatternsCache extends RunEpochCache('patterns', MiningRuns, PATTERNS_MINED) {}
