import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import { CiphertextIntegrityError, KeyUnavailableError } from './crypto.errors';
import { KeyRing } from './key-ring';

const ring = (ids: string[], current = ids[0]) =>
  new KeyRing({
    crypto: { keys: ids.map((id) => ({ id, key: randomBytes(32) })), currentKeyId: current },
  } as unknown as AppConfig);
const ctx = { table: 'user_data_keys', rowId: 'key-1', userId: 'u1', field: 'wrapped_key' };

describe(KeyRing.name, () => {
  it('wraps with the current key and unwraps by the key id in the envelope', () => {
    const sut = ring(['k2', 'k1']);
    const material = randomBytes(32);
    const wrapped = sut.wrap(material, ctx);
    expect(wrapped.kekId).toBe('k2');
    expect(sut.unwrap(wrapped.wrapped, ctx)).toEqual(material);
    const byOld = sut.wrap(material, ctx, 'k1');
    expect(byOld.kekId).toBe('k1');
    expect(sut.unwrap(byOld.wrapped, ctx)).toEqual(material);
  });

  it('refuses a wrapped key moved to another place, and keys it does not hold', () => {
    const sut = ring(['k1']);
    const { wrapped } = sut.wrap(randomBytes(32), ctx);
    expect(() => sut.unwrap(wrapped, { ...ctx, userId: 'u2' })).toThrow(CiphertextIntegrityError);
    expect(() => sut.unwrap(Buffer.from('nonsense'), ctx)).toThrow(CiphertextIntegrityError);
    expect(() => ring(['k9']).unwrap(wrapped, ctx)).toThrow(KeyUnavailableError);
    expect(() => sut.wrap(randomBytes(32), ctx, 'k9')).toThrow(KeyUnavailableError);
  });

  it('fails to unwrap with a different key that has the same id', () => {
    const { wrapped } = ring(['k1']).wrap(randomBytes(32), ctx);
    expect(() => ring(['k1']).unwrap(wrapped, ctx)).toThrow(CiphertextIntegrityError);
  });
});
