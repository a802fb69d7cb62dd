import type { EventRow } from './event-row';

/**
 * PostgreSQL's binary COPY format for learning-event rows, in the column order of `STORED_COLUMNS`: no text escaping,
 * no hex-doubling of the payload, and less parsing on the server than the text format.
 * Layout: signature, flags, extension length; per row a field count and per field a length (-1 for NULL) and
 * the value in the type's binary send format; a trailer of -1.
 */
/** The columns a write fills, in the order of the COPY encoding and of the array INSERT. */
export const STORED_COLUMNS =
  'id, user_id, event_type, module, action, session_id, client_event_id, timestamp, labels, rating, sentiment, outcome, signature, payload, key_id';
const FIELDS = 15;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

const textBytes = (value: string | null) => (value === null ? 0 : Buffer.byteLength(value, 'utf8'));

function rowSize(r: EventRow, labels: string | null): number {
  return (
    2 +
    FIELDS * 4 +
    16 + // id
    16 + // user_id
    textBytes(r.eventType) +
    textBytes(r.module) +
    textBytes(r.action) +
    textBytes(r.sessionId) +
    textBytes(r.clientEventId) +
    8 + // timestamp
    (labels === null ? 0 : 1 + textBytes(labels)) +
    (r.rating === null ? 0 : 2) +
    textBytes(r.sentiment) +
    textBytes(r.outcome) +
    textBytes(r.signature) +
    r.payload.length +
    textBytes(r.keyId)
  );
}

/** Hex digit values by character code; 255 for anything that is not a hex digit. */
const HEX = new Uint8Array(256).fill(255);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Writes a canonical 36-character uuid as its 16 bytes (no intermediate string); refuses anything else. */
export function writeUuid(buf: Buffer, at: number, value: string): number {
  if (value.length !== 36) throw new TypeError('not a canonical uuid');
  let i = 0;
  let seen = 0;
  for (let n = 0; n < 16; n++) {
    if (n === 4 || n === 6 || n === 8 || n === 10) {
      if (value.charCodeAt(i) !== 45) throw new TypeError('not a canonical uuid');
      i++;
    }
    const a = value.charCodeAt(i);
    const b = value.charCodeAt(i + 1);
    const hi = a < 256 ? HEX[a] : 255;
    const lo = b < 256 ? HEX[b] : 255;
    seen |= hi | lo;
    buf[at + n] = (hi << 4) | lo;
    i += 2;
  }
  if (seen > 15) throw new TypeError('not a canonical uuid');
  return at + 16;
}

export function encodeCopyBinary(rows: EventRow[]): Buffer {
  const labels = rows.map((r) => (r.labels ? JSON.stringify(r.labels) : null));
  let size = SIGNATURE.length + 8 + 2;
  rows.forEach((r, i) => (size += rowSize(r, labels[i])));
  const buf = Buffer.allocUnsafe(size);
  let at = SIGNATURE.copy(buf, 0);
  at = buf.writeInt32BE(0, at); // flags
  at = buf.writeInt32BE(0, at); // header extension length

  const uuid = (value: string) => {
    at = buf.writeInt32BE(16, at);
    at = writeUuid(buf, at, value);
  };
  const text = (value: string | null) => {
    if (value === null) {
      at = buf.writeInt32BE(-1, at);
      return;
    }
    const length = buf.write(value, at + 4, 'utf8');
    buf.writeInt32BE(length, at);
    at += 4 + length;
  };

  rows.forEach((r, i) => {
    at = buf.writeInt16BE(FIELDS, at);
    uuid(r.id);
    uuid(r.userId);
    text(r.eventType);
    text(r.module);
    text(r.action);
    text(r.sessionId);
    text(r.clientEventId);
    at = buf.writeInt32BE(8, at);
    at = buf.writeBigInt64BE(BigInt(r.timestamp.getTime() - POSTGRES_EPOCH_MS) * 1000n, at);
    const json = labels[i];
    if (json === null) {
      at = buf.writeInt32BE(-1, at);
    } else {
      const length = buf.write(json, at + 5, 'utf8');
      buf.writeInt32BE(length + 1, at);
      buf[at + 4] = 1; // jsonb binary format version
      at += 5 + length;
    }
    if (r.rating === null) {
      at = buf.writeInt32BE(-1, at);
    } else {
      at = buf.writeInt32BE(2, at);
      at = buf.writeInt16BE(r.rating, at);
    }
    text(r.sentiment);
    text(r.outcome);
    text(r.signature);
    at = buf.writeInt32BE(r.payload.length, at);
    at += r.payload.copy(buf, at);
    text(r.keyId);
  });
  at = buf.writeInt16BE(-1, at);
  if (at !== size) throw new Error(`binary COPY encoding wrote ${at} of ${size} bytes`);
  return buf;
}
