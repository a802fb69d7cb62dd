import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (secret: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(secret, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

/** scrypt parameters: N=2^15, r=8, p=1 (32 MiB, ~140 ms per hash or verify on the 2-core dev machine), 16-byte salt, 32-byte hash. */
const PARAMS = { N: 32768, r: 8, p: 1 };
const KEY_LENGTH = 32;
const MAX_MEM = 64 * 1024 * 1024;

/**
 * Hashes client secrets as `scrypt$N$r$p$salt$hash` (base64url parts), so parameters can be raised later
 * without breaking stored hashes. Runs on the libuv pool, never blocking the event loop.
 */
@Injectable()
export class SecretHasher {
  async hash(secret: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scrypt(secret, salt, KEY_LENGTH, { ...PARAMS, maxmem: MAX_MEM });
    return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(secret: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [N, r, p] = parts.slice(1, 4).map(Number);
    const salt = Buffer.from(parts[4], 'base64url');
    const expected = Buffer.from(parts[5], 'base64url');
    const actual = await scrypt(secret, salt, expected.length, { N, r, p, maxmem: MAX_MEM });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  newSecret(): string {
    return randomBytes(32).toString('base64url');
  }
}
