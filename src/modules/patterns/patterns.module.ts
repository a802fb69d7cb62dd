import { ConsentModule } from '../consent/consent.module';
import { retentionPolicies } from '../../common/retention/retention-policy';
import { PatternsRetention } from './patterns-retention';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { GlobalPattern } from './entities/global-pattern.entity';
import { MiningRun } from './entities/mining-run.entity';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { contributionsProvider } from '../../common/extension/contributions';
import { AuditModule } from '../audit/audit.module';
import { DisclosureModule } from '../disclosure/disclosure.module';
import { CryptoModule } from '../crypto/crypto.module';
import { SignatureGroupReader } from './signature-groups';
import { CoOccurrenceMiner } from './miners/co-occurrence.miner';
import { CorrectionMiner } from './miners/correction.miner';
import { FeedbackMiner } from './miners/feedback.miner';
import { ReportedMiner } from './miners/reported.miner';
import { SequenceMiner } from './miners/sequence.miner';
import { MiningRuns } from './mining-runs';
import { MiningService } from './mining.service';
import { PATTERN_MINERS, patternMiner } from './pattern-miner';
import { PatternsCache } from './patterns-cache.service';
import { PatternsReadService } from './patterns-read.service';
import { PatternsController } from './patterns.controller';
import { PatternsMetrics } from './patterns.metrics';
import { PatternsRepository } from './patterns.repository';
import { PredictionService } from './prediction.service';

/**
 * Patterns: every miner contributed to PATTERN_MINERS (here or in any other module) runs in mining runs, one at a
 * time across instances, scheduled and on demand; published patterns, runs and next-action predictions over REST.
 */
@Module({
  imports: [
    MikroOrmModule.forFeature([GlobalPattern, MiningRun]),
    AuditModule,
    DiscoveryModule,
    CryptoModule,
    ConsentModule,
    DisclosureModule,
  ],
  controllers: [PatternsController],
  providers: [
    retentionPolicies(PatternsRetention),
    contributionsProvider(PATTERN_MINERS),
    patternMiner(SequenceMiner),
    patternMiner(CorrectionMiner),
    patternMiner(FeedbackMiner),
    patternMiner(CoOccurrenceMiner),
    patternMiner(ReportedMiner),
    SignatureGroupReader,
    PatternsRepository,
    MiningRuns,
    MiningService,
    PatternsCache,
    PatternsReadService,
    PredictionService,
    PatternsMetrics,
  ],
  exports: [MiningService, PatternsReadService, PATTERN_MINERS],
})
export class PatternsModule {}
