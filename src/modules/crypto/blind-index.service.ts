import { Injectable } from '@nestjs/common';
import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { normalizeForIndex } from './normalize';

const DOMAIN = /^[a-z][a-z0-9_.-]{0,63}$/;

/**
 * Blind indexes: keyed HMAC-SHA256 over normalized text, for equality matching (the same correction made by
 * many users) without storing or revealing the text. Each domain (`correction`, `pattern`, …) gets its own key,
 * derived with HKDF-SHA256 from the blind-index root key, so an index from one domain never matches another.
 * The result is 64 lowercase hex characters. Domain keys are held as KeyObjects: `createHmac` with a raw Buffer
 * imports the key on every call, about nine times slower than with a KeyObject (measured on Node 24).
 */
@Injectable()
export class BlindIndexService {
  private root?: Buffer;
  private readonly domainKeys = new Map<string, KeyObject>();

  /** Set once at boot by `CryptoBootstrap` (from BLIND_INDEX_KEY or the stored generated root); zeroes `root`. */
  useRootKey(root: Buffer): void {
    if (root.length !== 32) throw new RangeError('The blind-index root key must be 32 bytes');
    this.root?.fill(0);
    this.root = Buffer.from(root);
    root.fill(0);
    this.domainKeys.clear();
  }

  /** Index of one value, or of an ordered tuple (e.g. a correction's original and corrected text). */
  compute(domain: string, ...parts: string[]): string {
    if (parts.length === 0) throw new TypeError('A blind index needs at least one part');
    const mac = createHmac('sha256', this.domainKey(domain));
    for (const part of parts) {
      const bytes = Buffer.from(normalizeForIndex(part), 'utf8');
      // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      mac.update(length).update(bytes);
    }
    return mac.digest('hex');
  }

  private domainKey(domain: string): KeyObject {
    let key = this.domainKeys.get(domain);
    if (!key) {
      if (!DOMAIN.test(domain)) throw new TypeError(`Blind-index domain ${domain} must match ${DOMAIN.source}`);
      if (!this.root)
        throw new Error('The blind-index key is not loaded yet (CryptoBootstrap runs at application bootstrap)');
      const material = Buffer.from(
        hkdfSync('sha256', this.root, Buffer.alloc(0), `ai-learning/blind-index/v1/${domain}`, 32),
      );
      key = createSecretKey(material);
      material.fill(0);
      this.domainKeys.set(domain, key);
    }
    return key;
  }
}

/** Identifies a root key without revealing it, so a changed BLIND_INDEX_KEY is noticed at boot. */
export function blindIndexFingerprint(root: Buffer): string {
  return createHmac('sha256', root).update('ai-learning/blind-index/fingerprint').digest('hex');
}
