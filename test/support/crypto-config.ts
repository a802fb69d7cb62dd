import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../src/config/app-config';

/** The crypto settings of a data-key service with one fresh master key (`k1`) and a data-key cache of this size and TTL. */
export function oneKeyConfig(cacheSize: number, cacheTtlSeconds: number): AppConfig {
  const crypto = {
    keys: [{ id: 'k1', key: randomBytes(32) }],
    currentKeyId: 'k1',
    dataKeyCacheSize: cacheSize,
    dataKeyCacheTtlSeconds: cacheTtlSeconds,
  };
  return { crypto } as unknown as AppConfig;
}
