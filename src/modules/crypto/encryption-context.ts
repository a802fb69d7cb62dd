/**
 * Where a ciphertext lives. It is authenticated as associated data, so a ciphertext copied to another table,
 * row, user or field fails to decrypt instead of revealing its plaintext there.
 */
export interface EncryptionContext {
  table: string;
  rowId: string;
  userId: string;
  field: string;
}

const PARTS = ['table', 'rowId', 'userId', 'field'] as const;
const MAX_PART_BYTES = 255;

/**
 * Length-prefixed encoding (1 length byte + UTF-8 per part) after `prefix`, so no two different contexts
 * encode alike. One allocation: this runs on every encryption and decryption.
 */
export function encodeContext(context: EncryptionContext, prefix: Buffer = Buffer.alloc(0)): Buffer {
  let total = prefix.length;
  const lengths = [0, 0, 0, 0];
  for (let i = 0; i < PARTS.length; i++) {
    const name = PARTS[i];
    const value = context[name];
    if (typeof value !== 'string' || value.length === 0)
      throw new TypeError(`Encryption context needs a non-empty ${name}`);
    lengths[i] = Buffer.byteLength(value, 'utf8');
    if (lengths[i] > MAX_PART_BYTES)
      throw new TypeError(`Encryption context ${name} is longer than ${MAX_PART_BYTES} bytes`);
    total += 1 + lengths[i];
  }
  const out = Buffer.allocUnsafe(total);
  let at = prefix.copy(out, 0);
  for (let i = 0; i < PARTS.length; i++) {
    out[at++] = lengths[i];
    at += out.write(context[PARTS[i]], at, 'utf8');
  }
  return out;
}
