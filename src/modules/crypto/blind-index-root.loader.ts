import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { KEY_BYTES } from './aes-gcm';
import { blindIndexFingerprint } from './blind-index.service';
import type { EncryptionContext } from './encryption-context';
import { KeyRing } from './key-ring';
import { SystemKeyStore, type StoredSystemKey } from './system-key.store';

export const BLIND_INDEX_KEY_NAME = 'blind_index';

export const systemKeyContext = (name: string): EncryptionContext => ({
  table: 'crypto_system_keys',
  rowId: name,
  userId: 'system',
  field: 'wrapped_key',
});

/** Boot refuses to start because stored blind indexes were built with another key. */
export class BlindIndexKeyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlindIndexKeyMismatchError';
  }
}

/**
 * Finds the blind-index root key. From `BLIND_INDEX_KEY` when set; otherwise a random key generated once and
 * stored wrapped by the current KEK — not derived from a KEK, because a KEK rotation would then change every
 * index and break matching. Either way its fingerprint is stored, so a swapped key stops the boot instead of
 * silently splitting old and new indexes.
 */
@Injectable()
export class BlindIndexRootLoader {
  constructor(
    private readonly store: SystemKeyStore,
    private readonly keyRing: KeyRing,
    private readonly config: AppConfig,
  ) {}

  async load(): Promise<Buffer> {
    const configured = this.config.crypto.blindIndexKey;
    const existing = await this.store.find(BLIND_INDEX_KEY_NAME);
    if (configured) {
      const fingerprint = blindIndexFingerprint(configured);
      const row =
        existing ??
        (await this.store.insertIfAbsent({
          name: BLIND_INDEX_KEY_NAME,
          keyId: 'configured',
          wrappedKey: null,
          kekId: null,
          fingerprint,
        }));
      if (row.fingerprint !== fingerprint) {
        throw new BlindIndexKeyMismatchError(
          'BLIND_INDEX_KEY is not the key the stored blind indexes were built with; restore the previous value ' +
            (row.wrappedKey
              ? '(they were built with the generated key: unset BLIND_INDEX_KEY)'
              : '(the one configured when they were built)'),
        );
      }
      return Buffer.from(configured);
    }
    if (existing && !existing.wrappedKey) {
      throw new BlindIndexKeyMismatchError(
        'The stored blind indexes were built with a configured BLIND_INDEX_KEY; set it again',
      );
    }
    return this.unwrap(existing ?? (await this.generate()));
  }

  private async generate(): Promise<StoredSystemKey> {
    const root = randomBytes(KEY_BYTES);
    const { kekId, wrapped } = this.keyRing.wrap(root, systemKeyContext(BLIND_INDEX_KEY_NAME));
    return this.store.insertIfAbsent({
      name: BLIND_INDEX_KEY_NAME,
      keyId: 'generated',
      wrappedKey: wrapped,
      kekId,
      fingerprint: blindIndexFingerprint(root),
    });
  }

  private unwrap(row: StoredSystemKey): Buffer {
    const root = this.keyRing.unwrap(row.wrappedKey as Buffer, systemKeyContext(row.name));
    if (blindIndexFingerprint(root) !== row.fingerprint)
      throw new BlindIndexKeyMismatchError('The stored blind-index key does not match its fingerprint');
    return root;
  }
}
