import { Injectable } from '@nestjs/common';
import { CiphertextIntegrityError, DataShreddedError } from '../crypto/crypto.errors';
import { FieldEncryptionService } from '../crypto/field-encryption.service';
import { eventDataContext } from '../learning/event-data-context';
import type { MiningWindow } from './pattern-miner';

/**
 * Decrypts the `data` of chosen example events, for miners that publish text (corrections, reported patterns)
 * once enough users share it. An event whose key was shredded (its user is being erased) or whose ciphertext
 * does not authenticate is skipped, never published.
 */
@Injectable()
export class ExampleReader {
  constructor(private readonly encryption: FieldEncryptionService) {}

  /** The decrypted data of each readable event among `ids`, keyed by event id. */
  async read(window: MiningWindow, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    if (ids.length === 0) return out;
    const rows = await window.query<{ id: string; user_id: string; payload: Buffer }>(
      'SELECT id, user_id, payload FROM consented_learning_events WHERE id = ANY($1::uuid[])',
      [ids],
    );
    for (const row of rows) {
      try {
        out.set(row.id, await this.encryption.decryptJson(eventDataContext(row.id, row.user_id), row.payload));
      } catch (error) {
        if (!(error instanceof DataShreddedError) && !(error instanceof CiphertextIntegrityError)) throw error;
      }
    }
    return out;
  }
}
