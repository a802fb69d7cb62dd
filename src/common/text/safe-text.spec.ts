import { isSafeJson, unsafeTextReason } from './safe-text';

describe('unsafeTextReason', () => {
  it.each([
    ['plain text', 'teh → the'],
    ['tabs and new lines', 'a\tb\nc\r\n'],
    ['right-to-left text with its marks', 'שלום \u200f עולם'],
    ['a surrogate pair', 'smile 😀'],
    ['an empty string', ''],
  ])('accepts %s', (_, value) => expect(unsafeTextReason(value)).toBeNull());

  it.each([
    ['NUL', 'a\u0000b', 'must not hold NUL characters'],
    ['a lone high surrogate', 'a\ud800b', 'must not hold unpaired UTF-16 surrogates'],
    ['a lone low surrogate', '\udc00', 'must not hold unpaired UTF-16 surrogates'],
    ['a reversed pair', '\ude00\ud83d', 'must not hold unpaired UTF-16 surrogates'],
    ['an escape sequence', 'red \u001b[31m', 'must not hold control characters (U+001B)'],
    ['DEL', 'a\u007f', 'must not hold control characters (U+007F)'],
    ['a C1 control', 'a\u0085', 'must not hold control characters (U+0085)'],
    ['a right-to-left override', 'abc\u202egnp.exe', 'must not hold bidirectional control characters (U+202E)'],
    ['a first-strong isolate', '\u2068x', 'must not hold bidirectional control characters (U+2068)'],
  ])('refuses %s', (_, value, reason) => expect(unsafeTextReason(value)).toBe(reason));
});

describe('isSafeJson', () => {
  it('checks every string, keys included, at any depth', () => {
    expect(isSafeJson({ a: ['x', { b: 'y' }], n: 1, z: null })).toBe(true);
    expect(isSafeJson({ a: ['x', { b: 'y\u0000' }] })).toBe(false);
    expect(isSafeJson({ ['k\ud800']: 'v' })).toBe(false);
  });
});
