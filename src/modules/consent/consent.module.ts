import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ConsentRecord } from './entities/consent-record.entity';
import { UserPrivacySettings } from './entities/user-privacy-settings.entity';
import { PrivacyErasure } from './entities/privacy-erasure.entity';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { CryptoModule } from '../crypto/crypto.module';
import { ConsentGate } from './consent-gate.service';
import { ConsentLedgerService } from './consent-ledger.service';
import { ConsentReceiptsService } from './consent-receipts.service';
import { DataHolds } from './data-holds.service';
import { ConsentController } from './consent.controller';
import { ConsentMetrics } from './consent.metrics';
import { contributionsProvider } from '../../common/extension/contributions';
import { DATA_HOLDS } from './data-hold';
import { PersonalDataRegistry } from './personal-data';
import { PrivacyController } from './privacy.controller';
import { PrivacyErasureService } from './privacy-erasure.service';
import { PrivacyExportService } from './privacy-export.service';

/**
 * Consent and data-subject rights: current settings, the hash-chained ledger, `ConsentGate` (the check every
 * learning write goes through), export and erasure. Modules holding personal data join through
 * `@PersonalDataSource()`, holds that keep data from erasure through `dataHold()`; withdrawals are also announced
 * as `consent.withdrawn` events.
 */
@Module({
  imports: [
    MikroOrmModule.forFeature([ConsentRecord, UserPrivacySettings, PrivacyErasure]),
    AuditModule,
    CryptoModule,
    DiscoveryModule,
  ],
  controllers: [ConsentController, PrivacyController],
  providers: [
    ConsentLedgerService,
    ConsentReceiptsService,
    DataHolds,
    ConsentGate,
    ConsentMetrics,
    PersonalDataRegistry,
    PrivacyExportService,
    PrivacyErasureService,
    contributionsProvider(DATA_HOLDS),
  ],
  exports: [ConsentGate, ConsentLedgerService, DataHolds],
})
export class ConsentModule {}
