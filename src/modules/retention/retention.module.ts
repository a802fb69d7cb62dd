import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { LegalHoldsRepository } from './legal-holds.repository';
import { RetentionController } from './retention.controller';
import { RetentionMetrics } from './retention.metrics';
import { RetentionRunsRepository } from './retention-runs.repository';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

/** Retention: per-class policies, the purge (scheduled and on demand, once across instances), its history, legal holds. */
@Module({
  imports: [AuditModule],
  controllers: [RetentionController],
  providers: [RetentionService, RetentionRunsRepository, RetentionMetrics, RetentionScheduler, LegalHoldsRepository],
  exports: [RetentionService, LegalHoldsRepository],
})
export class RetentionModule {}
