import type { KeyObject } from 'node:crypto';
import { aesGcmOpen, aesGcmSeal, NONCE_BYTES, TAG_BYTES } from './aes-gcm';
import { encodeContext, type EncryptionContext } from './encryption-context';
import { pooledRandomBytes } from './nonce-source';

/**
 * The stored form of every encrypted value (format version 1), self-describing so keys and formats can change:
 *
 * | bytes | content                                                    |
 * |-------|------------------------------------------------------------|
 * | 1     | format version, 0x01                                       |
 * | 1     | key id length L (1-64)                                     |
 * | L     | key id, ASCII `[A-Za-z0-9_.-]` (a data key id or a KEK id) |
 * | 12    | nonce, random per encryption                               |
 * | n     | AES-256-GCM ciphertext (n = plaintext length)              |
 * | 16    | GCM tag                                                    |
 *
 * The associated data is the header (version, L, key id) followed by the encoded context, so neither the key id
 * nor the ciphertext's place can be changed without the tag failing. Overhead: 30 bytes + the key id.
 */
export const ENVELOPE_VERSION = 1;
const MAX_KEY_ID = 64;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export interface EnvelopeKey {
  id: string;
  key: KeyObject;
}

export interface ParsedEnvelope {
  version: number;
  keyId: string;
  header: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** The bytes are not an envelope this code can read (truncated, unknown version, bad key id). */
export class MalformedEnvelopeError extends Error {
  constructor(reason: string) {
    super(`Malformed envelope: ${reason}`);
    this.name = 'MalformedEnvelopeError';
  }
}

export type RandomBytes = (size: number) => Buffer;

/** The envelope header for a key id (version, length, id); constant per key, so callers may keep it. */
export function envelopeHeader(keyId: string): Buffer {
  if (!KEY_ID.test(keyId)) throw new TypeError('Key ids are 1-64 characters of A-Z a-z 0-9 _ . -');
  const head = Buffer.allocUnsafe(2 + keyId.length);
  head[0] = ENVELOPE_VERSION;
  head[1] = keyId.length;
  head.write(keyId, 2, 'ascii');
  return head;
}

export function sealEnvelope(
  key: EnvelopeKey,
  plaintext: Buffer,
  context: EncryptionContext,
  random: RandomBytes = pooledRandomBytes,
  head: Buffer = envelopeHeader(key.id),
): Buffer {
  const nonce = random(NONCE_BYTES);
  const { ciphertext, tag } = aesGcmSeal(key.key, nonce, plaintext, encodeContext(context, head));
  return Buffer.concat([head, nonce, ciphertext, tag], head.length + nonce.length + ciphertext.length + tag.length);
}

export function parseEnvelope(envelope: Buffer): ParsedEnvelope {
  if (!Buffer.isBuffer(envelope) || envelope.length < 2) throw new MalformedEnvelopeError('too short');
  const version = envelope[0];
  if (version !== ENVELOPE_VERSION) throw new MalformedEnvelopeError(`unknown format version ${version}`);
  const idLength = envelope[1];
  if (idLength < 1 || idLength > MAX_KEY_ID) throw new MalformedEnvelopeError('bad key id length');
  const bodyStart = 2 + idLength;
  if (envelope.length < bodyStart + NONCE_BYTES + TAG_BYTES) throw new MalformedEnvelopeError('too short');
  const keyId = envelope.subarray(2, bodyStart).toString('ascii');
  if (!KEY_ID.test(keyId)) throw new MalformedEnvelopeError('bad key id');
  return {
    version,
    keyId,
    header: envelope.subarray(0, bodyStart),
    nonce: envelope.subarray(bodyStart, bodyStart + NONCE_BYTES),
    ciphertext: envelope.subarray(bodyStart + NONCE_BYTES, envelope.length - TAG_BYTES),
    tag: envelope.subarray(envelope.length - TAG_BYTES),
  };
}

/** Decrypts a parsed envelope; throws `AuthenticationFailedError` when anything was altered or the key is wrong. */
export function openEnvelope(parsed: ParsedEnvelope, key: KeyObject, context: EncryptionContext): Buffer {
  return aesGcmOpen(key, parsed.nonce, parsed.ciphertext, parsed.tag, encodeContext(context, parsed.header));
}
