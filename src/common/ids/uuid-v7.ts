import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMs = -1;
let counter = 0;

function random(bytes: number): Buffer {
  if (poolOffset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return slice;
}

function format(ms: number, randA: number, randB: Buffer): string {
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes.writeUInt16BE(0x7000 | (randA & 0x0fff), 6);
  randB.copy(bytes, 8, 0, 8);
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, a 12-bit counter, then 62 random bits.
 * Ids sort by creation time — and, within one process, strictly in creation order even inside one millisecond
 * (RFC 9562 §6.2 method 1: the counter starts at a random value below 2048 each millisecond; when it runs out,
 * the timestamp moves on by one). That keeps b-tree inserts local and makes id cursors follow arrival order.
 * Passing `now` makes one id for that instant, outside the sequence.
 */
export function uuidv7(now?: number): string {
  if (now !== undefined) return format(now, random(2).readUInt16BE(0), random(8));
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    counter = random(2).readUInt16BE(0) & 0x07ff;
  } else if (++counter > 0x0fff) {
    lastMs += 1;
    counter = random(2).readUInt16BE(0) & 0x07ff;
  }
  ms = lastMs;
  return format(ms, counter, random(8));
}
