import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { aesKey, AuthenticationFailedError } from './aes-gcm';
import { CiphertextIntegrityError, KeyUnavailableError } from './crypto.errors';
import type { EncryptionContext } from './encryption-context';
import { MalformedEnvelopeError, openEnvelope, parseEnvelope, sealEnvelope } from './envelope';

export interface WrappedKey {
  kekId: string;
  wrapped: Buffer;
}

/**
 * The key-encryption keys (KEKs) from configuration. They never encrypt data directly: they wrap the per-user
 * data keys and the service-wide keys, so a rotation rewraps small keys instead of re-encrypting every payload.
 */
@Injectable()
export class KeyRing {
  private readonly keys: ReadonlyMap<string, KeyObject>;
  readonly currentKeyId: string;

  constructor(config: AppConfig) {
    this.keys = new Map(config.crypto.keys.map((k) => [k.id, aesKey(k.key)]));
    this.currentKeyId = config.crypto.currentKeyId;
    if (!this.keys.has(this.currentKeyId)) throw new Error('The current key-encryption key is not configured');
  }

  ids(): string[] {
    return [...this.keys.keys()];
  }

  has(kekId: string): boolean {
    return this.keys.has(kekId);
  }

  /** Wraps key material with the current KEK (or `kekId`), bound to where the wrapped key is stored. */
  wrap(material: Buffer, context: EncryptionContext, kekId: string = this.currentKeyId): WrappedKey {
    const key = this.keys.get(kekId);
    if (!key) throw new KeyUnavailableError(kekId);
    return { kekId, wrapped: sealEnvelope({ id: kekId, key }, material, context) };
  }

  unwrap(wrapped: Buffer, context: EncryptionContext): Buffer {
    let parsed;
    try {
      parsed = parseEnvelope(wrapped);
    } catch (error) {
      if (error instanceof MalformedEnvelopeError) throw new CiphertextIntegrityError(`wrapped key: ${error.message}`);
      throw error;
    }
    const kek = this.keys.get(parsed.keyId);
    if (!kek) throw new KeyUnavailableError(parsed.keyId);
    try {
      return openEnvelope(parsed, kek, context);
    } catch (error) {
      if (error instanceof AuthenticationFailedError)
        throw new CiphertextIntegrityError('wrapped key failed authentication');
      throw error;
    }
  }
}
