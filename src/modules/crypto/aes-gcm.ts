import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  ciphertext: Buffer;
  tag: Buffer;
}

/** Raised when a ciphertext, its nonce, its tag or its associated data was altered, or the key is wrong. */
export class AuthenticationFailedError extends Error {
  constructor() {
    super('AES-256-GCM authentication failed');
    this.name = 'AuthenticationFailedError';
  }
}

/**
 * Turns 32 bytes into a key object. Keys are held as KeyObjects: `createCipheriv` with a raw Buffer re-imports
 * the key on every call, which measured about three times slower per operation.
 */
export function aesKey(material: Buffer): KeyObject {
  if (material.length !== KEY_BYTES) throw new RangeError(`AES-256-GCM needs a ${KEY_BYTES}-byte key`);
  return createSecretKey(material);
}

/** Keys whose size was checked once (reading `symmetricKeySize` crosses into C++ on every call). */
const checkedKeys = new WeakSet<KeyObject>();

function checkSizes(key: KeyObject, nonce: Buffer): void {
  if (!checkedKeys.has(key)) {
    if (key.symmetricKeySize !== KEY_BYTES) throw new RangeError(`AES-256-GCM needs a ${KEY_BYTES}-byte key`);
    checkedKeys.add(key);
  }
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`AES-256-GCM needs a ${NONCE_BYTES}-byte nonce`);
}

/**
 * AES-256-GCM with an explicit nonce (`createCipheriv`, never the deprecated password-based `createCipher`).
 * The caller owns nonce uniqueness and the associated data: only `envelope.ts` calls this, with a fresh random
 * nonce per call and associated data that always holds the envelope header and the ciphertext's place.
 */
export function aesGcmSeal(key: KeyObject, nonce: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  checkSizes(key, nonce);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  // GCM is a stream mode: `final()` yields no bytes, so `update` holds the whole ciphertext.
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

export function aesGcmOpen(key: KeyObject, nonce: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  checkSizes(key, nonce);
  if (tag.length !== TAG_BYTES) throw new AuthenticationFailedError();
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    throw new AuthenticationFailedError();
  }
  return plaintext;
}
