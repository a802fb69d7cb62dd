import { createSecretKey } from 'node:crypto';
import { aesGcmOpen, aesGcmSeal, aesKey, AuthenticationFailedError } from './aes-gcm';

const hex = (s: string) => Buffer.from(s, 'hex');

// AES-256 test cases 13-16 of McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (the NIST GCM
// submission), the 96-bit-IV ones.
const K15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const P15 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const C15 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';
const VECTORS = [
  {
    name: 'test case 13',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    aad: '',
    pt: '',
    ct: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    name: 'test case 14',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    aad: '',
    pt: '00'.repeat(16),
    ct: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    name: 'test case 15',
    key: K15,
    iv: 'cafebabefacedbaddecaf888',
    aad: '',
    pt: P15,
    ct: C15,
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    name: 'test case 16 (with associated data)',
    key: K15,
    iv: 'cafebabefacedbaddecaf888',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    pt: P15.slice(0, 120),
    ct: C15.slice(0, 120),
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

describe('AES-256-GCM primitive', () => {
  it.each(VECTORS)('matches the published vector: $name', (v) => {
    const sealed = aesGcmSeal(aesKey(hex(v.key)), hex(v.iv), hex(v.pt), hex(v.aad));
    expect(sealed.ciphertext.toString('hex')).toBe(v.ct);
    expect(sealed.tag.toString('hex')).toBe(v.tag);
    expect(aesGcmOpen(aesKey(hex(v.key)), hex(v.iv), hex(v.ct), hex(v.tag), hex(v.aad)).toString('hex')).toBe(v.pt);
  });

  describe('detects tampering', () => {
    const v = VECTORS[3];
    const flip = (s: string, byte = 0) => {
      const b = hex(s);
      b[byte] ^= 0x01;
      return b;
    };
    const open = (over: Partial<Record<'key' | 'iv' | 'ct' | 'tag' | 'aad', Buffer>>) => () =>
      aesGcmOpen(
        aesKey(over.key ?? hex(v.key)),
        over.iv ?? hex(v.iv),
        over.ct ?? hex(v.ct),
        over.tag ?? hex(v.tag),
        over.aad ?? hex(v.aad),
      );

    it.each([
      ['nonce', { iv: flip(v.iv) }],
      ['ciphertext (first byte)', { ct: flip(v.ct) }],
      ['ciphertext (last byte)', { ct: flip(v.ct, 59) }],
      ['ciphertext (truncated)', { ct: hex(v.ct).subarray(0, 59) }],
      ['tag', { tag: flip(v.tag, 15) }],
      ['tag (truncated)', { tag: hex(v.tag).subarray(0, 12) }],
      ['associated data', { aad: flip(v.aad, 3) }],
      ['associated data (removed)', { aad: Buffer.alloc(0) }],
      ['key (wrong key)', { key: flip(v.key, 31) }],
    ])('%s', (_name, over) => {
      expect(open(over)).toThrow(AuthenticationFailedError);
    });
  });

  it('refuses keys and nonces of the wrong size', () => {
    expect(() => aesKey(Buffer.alloc(16))).toThrow(RangeError);
    expect(() =>
      aesGcmSeal(createSecretKey(Buffer.alloc(16)), Buffer.alloc(12), Buffer.alloc(1), Buffer.alloc(1)),
    ).toThrow(RangeError);
    expect(() => aesGcmSeal(aesKey(Buffer.alloc(32)), Buffer.alloc(16), Buffer.alloc(1), Buffer.alloc(1))).toThrow(
      RangeError,
    );
  });
});
