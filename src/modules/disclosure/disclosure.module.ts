import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CryptoModule } from '../crypto/crypto.module';
import { PrivacyBudgetSpend } from './entities/privacy-budget-spend.entity';
import { KeyedUniform } from './keyed-uniform';
import { PrivacyBudgetController } from './privacy-budget.controller';
import { PrivacyBudget } from './privacy-budget.service';

/**
 * Disclosure control: what may be published of aggregates over users — the small-cell gate, differentially private
 * release (partition selection, discrete noise, keyed randomness) and the privacy budget every such release spends.
 */
@Module({
  imports: [MikroOrmModule.forFeature([PrivacyBudgetSpend]), AuditModule, CryptoModule],
  controllers: [PrivacyBudgetController],
  providers: [PrivacyBudget, KeyedUniform],
  exports: [PrivacyBudget, KeyedUniform],
})
export class DisclosureModule {}
