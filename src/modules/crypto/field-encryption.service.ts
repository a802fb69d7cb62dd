import type { PoolClient } from 'pg';
import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { AuthenticationFailedError } from './aes-gcm';
import { CiphertextIntegrityError, DataShreddedError } from './crypto.errors';
import { canonicalUserId, DataKeyService, type DataKey } from './data-key.service';
import type { EncryptionContext } from './encryption-context';
import {
  envelopeHeader,
  MalformedEnvelopeError,
  openEnvelope,
  parseEnvelope,
  sealEnvelope,
  type ParsedEnvelope,
} from './envelope';

/** The envelope names a data key other than the user's current one: shredded, or the ciphertext is misplaced. */
export class DataKeyMismatchError extends Error {
  constructor(readonly keyId: string) {
    super('The ciphertext was sealed with another data key than the user’s current one');
    this.name = 'DataKeyMismatchError';
  }
}

const canonical = (context: EncryptionContext): EncryptionContext => ({
  ...context,
  userId: canonicalUserId(context.userId),
});

/**
 * Seals and opens one user's values synchronously with a key already in hand (batches fetch it once).
 * `open` throws `DataKeyMismatchError` for another key's envelope; `FieldEncryptionService.decrypt` turns that
 * into "shredded" or "integrity failed".
 */
export class UserCipher {
  readonly userId: string;
  private readonly header: Buffer;

  constructor(
    userId: string,
    private readonly dataKey: DataKey,
  ) {
    this.userId = canonicalUserId(userId);
    this.header = envelopeHeader(dataKey.id);
  }

  /** Id of the data key this cipher seals with (stored beside ciphertexts to find rows under a key). */
  get keyId(): string {
    return this.dataKey.id;
  }

  seal(context: EncryptionContext, plaintext: Buffer): Buffer {
    return sealEnvelope(this.dataKey, plaintext, this.own(context), undefined, this.header);
  }

  open(context: EncryptionContext, envelope: Buffer): Buffer {
    const place = this.own(context);
    const parsed = parseOrFail(envelope);
    if (parsed.keyId !== this.dataKey.id) throw new DataKeyMismatchError(parsed.keyId);
    return openOrFail(parsed, this.dataKey.key, place);
  }

  private own(context: EncryptionContext): EncryptionContext {
    if (context.userId === this.userId) return context; // already canonical: the common case on the write path
    const place = canonical(context);
    if (place.userId !== this.userId) throw new TypeError("A user's cipher only serves that user's context");
    return place;
  }
}

function parseOrFail(envelope: Buffer): ParsedEnvelope {
  try {
    return parseEnvelope(envelope);
  } catch (error) {
    if (error instanceof MalformedEnvelopeError) throw new CiphertextIntegrityError(error.message);
    throw error;
  }
}

function openOrFail(parsed: ParsedEnvelope, key: KeyObject, context: EncryptionContext): Buffer {
  try {
    return openEnvelope(parsed, key, context);
  } catch (error) {
    if (error instanceof AuthenticationFailedError) throw new CiphertextIntegrityError('authentication failed');
    throw error;
  }
}

/**
 * Field encryption for sensitive values: AES-256-GCM under the owning user's data key, with the value's place
 * (table, row, user, field) as associated data. Decrypting a shredded user's value raises `DataShreddedError`;
 * a value that was altered or moved raises `CiphertextIntegrityError` — never garbage.
 */
@Injectable()
export class FieldEncryptionService {
  constructor(private readonly dataKeys: DataKeyService) {}

  /** One cipher per data key while the key lives (it holds no state besides the key and its envelope header). */
  private readonly ciphers = new WeakMap<DataKey, UserCipher>();

  /** A cipher for one user; `create` makes the user's data key if it does not exist (writers), readers pass false. */
  async cipherFor(userId: string, options: { create: boolean }): Promise<UserCipher> {
    const key = options.create ? await this.dataKeys.getOrCreate(userId) : await this.dataKeys.find(userId);
    if (!key) throw new DataShreddedError();
    let cipher = this.ciphers.get(key);
    if (!cipher || cipher.userId !== userId.toLowerCase()) {
      cipher = new UserCipher(userId, key);
      this.ciphers.set(key, cipher);
    }
    return cipher;
  }

  async encrypt(context: EncryptionContext, plaintext: Buffer): Promise<Buffer> {
    return (await this.cipherFor(context.userId, { create: true })).seal(context, plaintext);
  }

  async decrypt(context: EncryptionContext, envelope: Buffer): Promise<Buffer> {
    const keyId = parseOrFail(envelope).keyId;
    let key = await this.dataKeys.find(context.userId);
    // A cached key older than a shred-and-recreate elsewhere: check the database once before deciding.
    if (key && key.id !== keyId) key = await this.dataKeys.find(context.userId, { bypassCache: true });
    if (key && key.id === keyId) return new UserCipher(context.userId, key).open(context, envelope);
    if (await this.dataKeys.wasShredded(keyId)) throw new DataShreddedError();
    throw new CiphertextIntegrityError(key ? 'sealed with a key that is not this user’s' : 'this user has no data key');
  }

  async encryptJson(context: EncryptionContext, value: unknown): Promise<Buffer> {
    return this.encrypt(context, Buffer.from(JSON.stringify(value), 'utf8'));
  }

  async decryptJson<T = unknown>(context: EncryptionContext, envelope: Buffer): Promise<T> {
    const plaintext = await this.decrypt(context, envelope);
    try {
      return JSON.parse(plaintext.toString('utf8')) as T;
    } catch {
      // JSON.parse quotes the offending text in its message: never let plaintext reach a log line.
      throw new CiphertextIntegrityError('the decrypted value is not JSON');
    } finally {
      plaintext.fill(0);
    }
  }

  /** Forgets this instance's cached data key of the user (it was found shredded, or replaced, by another instance). */
  forgetCachedKey(userId: string): void {
    this.dataKeys.forgetCached(userId);
  }

  shredUser(userId: string): Promise<boolean> {
    return this.dataKeys.shredUser(userId);
  }

  /** Deletes the user's data key in the caller's transaction; `shredUser` after the commit evicts the caches. */
  shredUserIn(tx: PoolClient, userId: string): Promise<boolean> {
    return this.dataKeys.shredStored(tx, userId);
  }
}
