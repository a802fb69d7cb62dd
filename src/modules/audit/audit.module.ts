import { retentionPolicies } from '../../common/retention/retention-policy';
import { AuditRetention } from './audit-retention';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { AuditEntry } from './entities/audit-entry.entity';

@Module({
  imports: [MikroOrmModule.forFeature([AuditEntry])],
  controllers: [AuditController],
  providers: [retentionPolicies(AuditRetention), AuditService],
  exports: [AuditService],
})
export class AuditModule {}
