import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { CryptoModule } from '../crypto/crypto.module';
import { RetentionModule } from '../retention/retention.module';
import { ConsentGate } from './consent-gate.service';
import { ConsentLedgerService } from './consent-ledger.service';
import { ConsentController } from './consent.controller';
import { ConsentMetrics } from './consent.metrics';
import { PersonalDataRegistry } from './personal-data';
import { PrivacyController } from './privacy.controller';
import { PrivacyErasureService } from './privacy-erasure.service';
import { PrivacyExportService } from './privacy-export.service';

/**
 * Consent and data-subject rights: current settings, the hash-chained ledger, `ConsentGate` (the check every
 * learning write goes through), export and erasure. Modules holding personal data join through
 * `@PersonalDataSource()`; withdrawals are also announced as `consent.withdrawn` events.
 */
@Module({
  imports: [AuditModule, CryptoModule, DiscoveryModule, RetentionModule],
  controllers: [ConsentController, PrivacyController],
  providers: [
    ConsentLedgerService,
    ConsentGate,
    ConsentMetrics,
    PersonalDataRegistry,
    PrivacyExportService,
    PrivacyErasureService,
  ],
  exports: [ConsentGate, ConsentLedgerService],
})
export class ConsentModule {}
