import { EventWriter } from './event-writer';
import { retentionPolicies } from '../../common/retention/retention-policy';
import { LearningRetention } from './learning-retention';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { LearningEvent } from './entities/learning-event.entity';
import { Module } from '@nestjs/common';
import { EventQuota } from './event-quota';
import { AuditModule } from '../audit/audit.module';
import { ConsentModule } from '../consent/consent.module';
import { CryptoModule } from '../crypto/crypto.module';
import { LearningController } from './learning.controller';
import { LearningEventsRepository } from './learning-events.repository';
import { LearningIngestService } from './learning-ingest.service';
import { LearningPersonalData } from './learning-personal-data';
import { LearningDeletionService } from './learning-deletion.service';
import { LearningReadService } from './learning-read.service';
import { LearningMetrics } from './learning.metrics';

/**
 * Learning events: validated, consent-gated, encrypted, idempotent ingestion and decrypted reads. Registers the
 * events as personal data, so export, erasure and withdrawal reach them without the consent module importing this.
 */
@Module({
  imports: [MikroOrmModule.forFeature([LearningEvent]), AuditModule, ConsentModule, CryptoModule],
  controllers: [LearningController],
  providers: [
    LearningDeletionService,
    EventWriter,
    retentionPolicies(LearningRetention),
    LearningEventsRepository,
    LearningIngestService,
    LearningReadService,
    LearningPersonalData,
    LearningMetrics,
    EventQuota,
  ],
  exports: [LearningReadService],
})
export class LearningModule {}
