import type { EncryptionContext } from '../crypto/encryption-context';

/**
 * Where an event's `data` lives, bound into its ciphertext as associated data: sealing and every reader (the API,
 * exports, miners' examples) name it the same way, so a ciphertext moved to another row or user fails to open.
 */
export function eventDataContext(eventId: string, userId: string): EncryptionContext {
  return { table: 'global_learning_events', rowId: eventId, userId, field: 'data' };
}
