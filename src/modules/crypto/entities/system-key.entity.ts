import { defineEntity, p } from '@mikro-orm/core';

/**
 * Service-wide keys (today: the blind-index root). `wrappedKey` is null when the key comes from configuration;
 * `fingerprint` always identifies the key in use, so a changed configured key is caught at boot.
 */
export const SystemKey = defineEntity({
  name: 'SystemKey',
  tableName: 'crypto_system_keys',
  properties: {
    name: p.string().length(64).primary(),
    keyId: p.string().length(32),
    wrappedKey: p.blob().nullable(),
    kekId: p.string().length(32).nullable(),
    fingerprint: p.string().length(64),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
  checks: [{ name: 'crypto_system_keys_wrapped_check', expression: `("wrapped_key" is null) = ("kek_id" is null)` }],
});
