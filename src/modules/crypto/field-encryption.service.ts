import { Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { AuthenticationFailedError } from './aes-gcm';
import { CiphertextIntegrityError, DataShreddedError } from './crypto.errors';
import { DataKeyService, type DataKey } from './data-key.service';
import type { EncryptionContext } from './encryption-context';
import { MalformedEnvelopeError, openEnvelope, parseEnvelope, sealEnvelope, type ParsedEnvelope } from './envelope';

/** Seals and opens one user's values synchronously with a key already in hand (batches fetch it once). */
export class UserCipher {
  constructor(
    readonly userId: string,
    private readonly dataKey: DataKey,
  ) {}

  seal(context: EncryptionContext, plaintext: Buffer): Buffer {
    this.checkOwner(context);
    return sealEnvelope(this.dataKey, plaintext, context);
  }

  open(context: EncryptionContext, envelope: Buffer): Buffer {
    this.checkOwner(context);
    const parsed = parseOrFail(envelope);
    if (parsed.keyId !== this.dataKey.id) throw new DataShreddedError();
    return openOrFail(parsed, this.dataKey.key, context);
  }

  private checkOwner(context: EncryptionContext): void {
    if (context.userId !== this.userId) throw new TypeError("A user's cipher only serves that user's context");
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

  /** A cipher for one user; `create` makes the user's data key if it does not exist (writers), readers pass false. */
  async cipherFor(userId: string, options: { create: boolean }): Promise<UserCipher> {
    const key = options.create ? await this.dataKeys.getOrCreate(userId) : await this.dataKeys.find(userId);
    if (!key) throw new DataShreddedError();
    return new UserCipher(userId, key);
  }

  async encrypt(context: EncryptionContext, plaintext: Buffer): Promise<Buffer> {
    return (await this.cipherFor(context.userId, { create: true })).seal(context, plaintext);
  }

  async decrypt(context: EncryptionContext, envelope: Buffer): Promise<Buffer> {
    const parsed = parseOrFail(envelope);
    let key = await this.dataKeys.find(context.userId);
    // A cached key older than a shred-and-recreate elsewhere: check the database once before giving up.
    if (key && key.id !== parsed.keyId) key = await this.dataKeys.find(context.userId, { bypassCache: true });
    if (!key || key.id !== parsed.keyId) throw new DataShreddedError();
    return openOrFail(parsed, key.key, context);
  }

  async encryptJson(context: EncryptionContext, value: unknown): Promise<Buffer> {
    return this.encrypt(context, Buffer.from(JSON.stringify(value), 'utf8'));
  }

  async decryptJson<T = unknown>(context: EncryptionContext, envelope: Buffer): Promise<T> {
    return JSON.parse((await this.decrypt(context, envelope)).toString('utf8')) as T;
  }

  shredUser(userId: string): Promise<boolean> {
    return this.dataKeys.shredUser(userId);
  }
}
