import { DomainError } from '../../common/errors/domain.error';

/** The user's data key was deleted: every ciphertext of that user is unreadable for good. */
export class DataShreddedError extends DomainError {
  constructor() {
    super(
      'CRYPTO.DATA_SHREDDED',
      'gone',
      "The data was crypto-shredded (the user's data key is deleted) and can no longer be read",
    );
  }
}

/** A stored ciphertext failed authentication: altered, moved to another place, or malformed. */
export class CiphertextIntegrityError extends DomainError {
  constructor(reason: string) {
    super('CRYPTO.INTEGRITY_FAILED', 'internal', `A stored ciphertext failed its integrity check (${reason})`);
  }
}

/** A wrapped key names a key-encryption key this instance is not configured with. */
export class KeyUnavailableError extends DomainError {
  constructor(keyId: string) {
    super('CRYPTO.KEY_UNAVAILABLE', 'internal', `Key-encryption key ${keyId} is not configured on this instance`);
  }
}

/** A rotation towards another key is already running; it has to finish (or fail) first. */
export class RotationInProgressError extends DomainError {
  constructor(targetKekId: string, currentKekId: string) {
    super(
      'CRYPTO.ROTATION_IN_PROGRESS',
      'conflict',
      `A rotation to key ${targetKekId} is running, but this instance's current key is ${currentKekId}; let it finish or align ENCRYPTION_KEY_ID on every instance`,
    );
  }
}

/** The caller asked to rotate to a key that is not this instance's current key (e.g. a rolling deploy in progress). */
export class RotationTargetNotCurrentError extends DomainError {
  constructor(requested: string, current: string) {
    super(
      'CRYPTO.TARGET_NOT_CURRENT',
      'conflict',
      `This instance's current key is ${current}, not ${requested}; finish deploying ENCRYPTION_KEY_ID=${requested} everywhere first`,
    );
  }
}
