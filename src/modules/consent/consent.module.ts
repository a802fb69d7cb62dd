import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CryptoModule } from '../crypto/crypto.module';
import { ConsentGate } from './consent-gate.service';
import { ConsentLedgerService } from './consent-ledger.service';
import { ConsentController } from './consent.controller';

/**
 * Consent: current settings, the hash-chained ledger, and `ConsentGate`, the check every learning write goes
 * through. Withdrawals are announced as `consent.withdrawn` events for modules that hold user data.
 */
@Module({
  imports: [AuditModule, CryptoModule],
  controllers: [ConsentController],
  providers: [ConsentLedgerService, ConsentGate],
  exports: [ConsentGate, ConsentLedgerService],
})
export class ConsentModule {}
