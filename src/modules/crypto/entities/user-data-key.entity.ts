import { defineEntity, p } from '@mikro-orm/core';
import { createdNowColumn } from '../../../database/entity-columns';

/**
 * A user's data key, wrapped (AES-256-GCM envelope) by the key-encryption key `kekId`. Deleting the row
 * crypto-shreds every payload of the user. Read and written with SQL in `DataKeyStore` (hot path).
 */
export const UserDataKey = defineEntity({
  name: 'UserDataKey',
  tableName: 'user_data_keys',
  properties: {
    userId: p.uuid().primary(),
    keyId: p.string().length(32),
    wrappedKey: p.blob(),
    kekId: p.string().length(32).index(),
    createdAt: createdNowColumn(),
    rewrappedAt: p.datetime().nullable(),
  },
});
