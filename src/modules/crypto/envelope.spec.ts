import { randomBytes } from 'node:crypto';
import { aesKey, AuthenticationFailedError } from './aes-gcm';
import type { EncryptionContext } from './encryption-context';
import { encodeContext } from './encryption-context';
import { ENVELOPE_VERSION, MalformedEnvelopeError, openEnvelope, parseEnvelope, sealEnvelope } from './envelope';

const key = { id: 'dk1', key: aesKey(randomBytes(32)) };
const ctx: EncryptionContext = {
  table: 'global_learning_events',
  rowId: '0193a0b0-0000-7000-8000-000000000001',
  userId: 'u-1',
  field: 'data',
};
const open = (envelope: Buffer, context = ctx, k = key.key) => openEnvelope(parseEnvelope(envelope), k, context);

describe('Encryption envelope', () => {
  it('round-trips and lays out version, key id, nonce, ciphertext and tag', () => {
    const plaintext = Buffer.from('{"text":"hello"}');
    const envelope = sealEnvelope(key, plaintext, ctx);
    expect(envelope[0]).toBe(ENVELOPE_VERSION);
    expect(envelope[1]).toBe(3);
    expect(envelope.subarray(2, 5).toString('ascii')).toBe('dk1');
    expect(envelope.length).toBe(2 + 3 + 12 + plaintext.length + 16);
    expect(envelope.includes(plaintext)).toBe(false);
    const parsed = parseEnvelope(envelope);
    expect(parsed.keyId).toBe('dk1');
    expect(open(envelope)).toEqual(plaintext);
    expect(open(sealEnvelope(key, Buffer.alloc(0), ctx))).toEqual(Buffer.alloc(0));
  });

  it.each(['table', 'rowId', 'userId', 'field'] as const)(
    'fails when the ciphertext is moved to another %s',
    (part) => {
      const envelope = sealEnvelope(key, Buffer.from('secret'), ctx);
      expect(() => open(envelope, { ...ctx, [part]: `${ctx[part]}x` })).toThrow(AuthenticationFailedError);
    },
  );

  it('fails when the key id in the header is altered, even to a key id of the same length', () => {
    const envelope = sealEnvelope(key, Buffer.from('secret'), ctx);
    envelope[4] = 'x'.charCodeAt(0);
    expect(() => open(envelope)).toThrow(AuthenticationFailedError);
  });

  it('fails on a wrong key and on a flipped bit anywhere after the header', () => {
    const envelope = sealEnvelope(key, Buffer.from('a somewhat longer secret value'), ctx);
    expect(() => open(envelope, ctx, aesKey(randomBytes(32)))).toThrow(AuthenticationFailedError);
    for (let i = 5; i < envelope.length; i++) {
      const copy = Buffer.from(envelope);
      copy[i] ^= 0x80;
      expect(() => open(copy)).toThrow(AuthenticationFailedError);
    }
  });

  it('refuses malformed envelopes with a malformed-envelope error', () => {
    const envelope = sealEnvelope(key, Buffer.from('x'), ctx);
    const wrongVersion = Buffer.from(envelope);
    wrongVersion[0] = 2;
    const zeroId = Buffer.from(envelope);
    zeroId[1] = 0;
    const badId = Buffer.from(envelope);
    badId[2] = 0x20;
    for (const bad of [Buffer.alloc(0), envelope.subarray(0, 20), wrongVersion, zeroId, badId]) {
      expect(() => parseEnvelope(bad)).toThrow(MalformedEnvelopeError);
    }
  });

  it('never encrypts without a complete context', () => {
    expect(() => sealEnvelope(key, Buffer.from('x'), { ...ctx, userId: '' })).toThrow(TypeError);
    expect(() => sealEnvelope(key, Buffer.from('x'), { ...ctx, field: undefined as unknown as string })).toThrow(
      TypeError,
    );
    expect(() => sealEnvelope({ id: 'bad id', key: key.key }, Buffer.from('x'), ctx)).toThrow(TypeError);
  });

  it('encodes contexts unambiguously', () => {
    const a = encodeContext({ table: 'ab', rowId: 'c', userId: 'u', field: 'f' });
    const b = encodeContext({ table: 'a', rowId: 'bc', userId: 'u', field: 'f' });
    expect(a.equals(b)).toBe(false);
  });

  it('draws a fresh nonce for each of 1,000,000 encryptions', () => {
    const seen = new Set<string>();
    const plaintext = Buffer.from('x');
    for (let i = 0; i < 1_000_000; i++) {
      const envelope = sealEnvelope(key, plaintext, ctx);
      seen.add(envelope.toString('latin1', 5, 17));
    }
    expect(seen.size).toBe(1_000_000);
  });
});
