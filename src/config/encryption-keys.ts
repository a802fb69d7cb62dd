export interface KeyEncryptionKey {
  id: string;
  key: Buffer;
}

const HEX_32 = /^[0-9a-fA-F]{64}$/;
const BASE64_32 = /^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}$/;
const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;

/** Decodes one 32-byte key given as 64 hex characters or base64 / base64url; anything else is refused. */
export function decodeKey(value: string): Buffer | null {
  const v = value.trim();
  if (HEX_32.test(v)) return Buffer.from(v, 'hex');
  if (BASE64_32.test(v)) {
    const buf = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return buf.length === 32 ? buf : null;
  }
  return null;
}

export interface ParsedKeys {
  keys: KeyEncryptionKey[];
  currentKeyId: string;
  problems: string[];
}

/**
 * Reads the key-encryption keys from `ENCRYPTION_KEYS` (`id:key,id:key`, first is current unless
 * `ENCRYPTION_KEY_ID` names another) or a single `ENCRYPTION_KEY` (id `k1`). Problems never echo key material.
 */
export function parseEncryptionKeys(single?: string, list?: string, currentId?: string): ParsedKeys {
  const problems: string[] = [];
  const keys: KeyEncryptionKey[] = [];
  if (single && list) problems.push('ENCRYPTION_KEY and ENCRYPTION_KEYS are both set: use one of them');
  if (list) {
    list.split(',').forEach((entry, index) => {
      const sep = entry.indexOf(':');
      const id = sep > 0 ? entry.slice(0, sep).trim() : '';
      const key = sep > 0 ? decodeKey(entry.slice(sep + 1)) : null;
      if (!KEY_ID.test(id)) {
        problems.push(
          `ENCRYPTION_KEYS entry ${index + 1}: expected id:key with an id of 1-32 characters of A-Z a-z 0-9 _ . -`,
        );
      } else if (!key) {
        problems.push(
          `ENCRYPTION_KEYS entry ${index + 1} (${id}): the key must be exactly 32 bytes, as 64 hex characters or base64`,
        );
      } else if (keys.some((k) => k.id === id)) {
        problems.push(`ENCRYPTION_KEYS entry ${index + 1}: key id ${id} appears twice`);
      } else {
        keys.push({ id, key });
      }
    });
  } else if (single) {
    const key = decodeKey(single);
    if (key) keys.push({ id: 'k1', key });
    else problems.push('ENCRYPTION_KEY must be exactly 32 bytes, as 64 hex characters or base64');
  }
  let current = keys[0]?.id ?? '';
  if (currentId) {
    if (keys.length > 0 && !keys.some((k) => k.id === currentId)) {
      problems.push(`ENCRYPTION_KEY_ID names ${currentId}, which is not among the configured keys`);
    } else {
      current = currentId;
    }
  }
  return { keys, currentKeyId: current, problems };
}
