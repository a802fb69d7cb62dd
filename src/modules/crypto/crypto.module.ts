import { MikroOrmModule } from '@mikro-orm/nestjs';
import { ShreddedDataKey } from './entities/shredded-data-key.entity';
import { SystemKey } from './entities/system-key.entity';
import { UserDataKey } from './entities/user-data-key.entity';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { BlindIndexRootLoader } from './blind-index-root.loader';
import { BlindIndexService } from './blind-index.service';
import { CryptoController } from './crypto.controller';
import { CryptoBootstrap } from './crypto.bootstrap';
import { DataKeyEvictionBus } from './data-key-eviction.bus';
import { DataKeyService } from './data-key.service';
import { DataKeyStore } from './data-key.store';
import { KeyRotation } from './entities/key-rotation.entity';
import { FieldEncryptionService } from './field-encryption.service';
import { HashingModule } from './hashing.module';
import { KeyRing } from './key-ring';
import { KeyRotationService } from './key-rotation.service';
import { KeyStatusService } from './key-status.service';
import { SystemKeyStore } from './system-key.store';

/**
 * Everything sensitive goes through here: field encryption under per-user data keys, crypto-shredding, blind
 * indexes, KEK rotation, and secret hashing. Other modules use `FieldEncryptionService`, `BlindIndexService`
 * and `SecretHasher`; keys and stores stay inside.
 */
@Module({
  imports: [
    MikroOrmModule.forFeature([KeyRotation, UserDataKey, ShreddedDataKey, SystemKey]),
    AuditModule,
    HashingModule,
  ],
  controllers: [CryptoController],
  providers: [
    KeyRing,
    DataKeyStore,
    SystemKeyStore,
    DataKeyEvictionBus,
    DataKeyService,
    FieldEncryptionService,
    BlindIndexService,
    BlindIndexRootLoader,
    KeyRotationService,
    KeyStatusService,
    CryptoBootstrap,
  ],
  exports: [FieldEncryptionService, BlindIndexService, HashingModule],
})
export class CryptoModule {}
