import { defineEntity, p } from '@mikro-orm/core';

/**
 * Ids of deleted (crypto-shredded) data keys, so reading such data answers "shredded" rather than "tampered".
 * Holds no user id and no key material: key ids are random.
 */
export const ShreddedDataKey = defineEntity({
  name: 'ShreddedDataKey',
  tableName: 'shredded_data_keys',
  properties: {
    keyId: p.string().length(32).primary(),
    shreddedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
