import { DiscoveryModule } from '@nestjs/core';
import { contributionsProvider } from '../../common/extension/contributions';
import { RETENTION_POLICIES } from '../../common/retention/retention-policy';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { LegalHold } from './entities/legal-hold.entity';
import { RetentionRun } from './entities/retention-run.entity';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { dataHold } from '../consent/data-hold';
import { LegalHoldDataHold } from './legal-hold.data-hold';
import { LegalHoldsRepository } from './legal-holds.repository';
import { LegalHoldsService } from './legal-holds.service';
import { RetentionController } from './retention.controller';
import { RetentionMetrics } from './retention.metrics';
import { RetentionRuns } from './retention-runs';
import { RetentionService } from './retention.service';

/**
 * Retention: the purge of every data class whose module contributes its policy (`retentionPolicies()`), scheduled
 * and on demand, once across instances, its history, and legal holds.
 */
@Module({
  imports: [MikroOrmModule.forFeature([LegalHold, RetentionRun]), AuditModule, DiscoveryModule],
  controllers: [RetentionController],
  providers: [
    RetentionService,
    RetentionRuns,
    RetentionMetrics,
    LegalHoldsRepository,
    LegalHoldsService,
    dataHold(LegalHoldDataHold),
    contributionsProvider(RETENTION_POLICIES),
  ],
  exports: [RetentionService],
})
export class RetentionModule {}
