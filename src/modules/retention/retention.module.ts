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

/** Retention: per-class policies, the purge (scheduled and on demand, once across instances), its history, legal holds. */
@Module({
  imports: [MikroOrmModule.forFeature([LegalHold, RetentionRun]), AuditModule],
  controllers: [RetentionController],
  providers: [
    RetentionService,
    RetentionRuns,
    RetentionMetrics,
    LegalHoldsRepository,
    LegalHoldsService,
    dataHold(LegalHoldDataHold),
  ],
  exports: [RetentionService],
})
export class RetentionModule {}
