import { retentionPolicies } from '../../common/retention/retention-policy';
import { InsightsRetention } from './insights-retention';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { CollectiveInsight } from './entities/collective-insight.entity';
import { InsightRun } from './entities/insight-run.entity';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { contributionsProvider } from '../../common/extension/contributions';
import { AuditModule } from '../audit/audit.module';
import { DisclosureModule } from '../disclosure/disclosure.module';
import { CryptoModule } from '../crypto/crypto.module';
import { PatternsModule } from '../patterns/patterns.module';
import { GenerationService } from './generation.service';
import { AnomalyGenerator } from './generators/anomaly.generator';
import { FrictionGenerator } from './generators/friction.generator';
import { RecommendationGenerator } from './generators/recommendation.generator';
import { SummaryGenerator } from './generators/summary.generator';
import { TrendGenerator } from './generators/trend.generator';
import { INSIGHT_GENERATORS, insightGenerator } from './insight-generator';
import { InsightNoise } from './insight-noise';
import { InsightRuns } from './insight-runs';
import { InsightsCache } from './insights-cache.service';
import { InsightsReadService } from './insights-read.service';
import { InsightsController } from './insights.controller';
import { InsightsMetrics } from './insights.metrics';
import { InsightsRepository } from './insights.repository';

/**
 * Insights: every generator contributed to INSIGHT_GENERATORS (here or in any other module) runs after each mining
 * run and on demand, one run at a time across instances; published insights and runs over REST.
 */
@Module({
  imports: [
    MikroOrmModule.forFeature([CollectiveInsight, InsightRun]),
    AuditModule,
    DiscoveryModule,
    CryptoModule,
    PatternsModule,
    DisclosureModule,
  ],
  controllers: [InsightsController],
  providers: [
    retentionPolicies(InsightsRetention),
    contributionsProvider(INSIGHT_GENERATORS),
    insightGenerator(TrendGenerator),
    insightGenerator(AnomalyGenerator),
    insightGenerator(FrictionGenerator),
    insightGenerator(RecommendationGenerator),
    insightGenerator(SummaryGenerator),
    InsightNoise,
    InsightsRepository,
    InsightRuns,
    GenerationService,
    InsightsCache,
    InsightsReadService,
    InsightsMetrics,
  ],
  exports: [GenerationService, InsightsReadService, INSIGHT_GENERATORS],
})
export class InsightsModule {}
