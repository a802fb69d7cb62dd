import fc from 'fast-check';

/**
 * Text that has broken parsers, validators, databases and log lines before: NUL, unpaired surrogates, bidi
 * overrides, zero-width and combining characters, case mappings that change length, look-alike digits,
 * injection classics, and prototype keys.
 */
export const ODD_SNIPPETS = [
  '\u0000',
  '\ud800',
  '\udfff',
  'a\ud83d',
  '\u202e',
  '\u2066',
  '\u200f',
  '\u200b',
  '\ufeff',
  '\ufffd',
  '\uffff',
  '\u0085',
  '\u001b[31m',
  '\r\n',
  '\t',
  '😀',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  'e\u0301\u0301\u0301',
  '𝕏',
  'ǅ',
  'İ',
  'ß',
  'ﬃ',
  'מה קורה',
  'مرحبا',
  '١٢٣',
  '１２３',
  '../../etc/passwd',
  '..%2f..%2f',
  "' OR '1'='1' --",
  '"; DROP TABLE x; --',
  '\\',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'null',
  'undefined',
  'NaN',
  '-0',
  '',
  ' ',
];

/** Numbers written as text, as a query string carries them: boundaries, overflows, and things that only look numeric. */
export const ODD_NUMBER_TEXT = [
  '-1',
  '0',
  '1',
  '-0',
  '1.5',
  '0.1',
  '1e308',
  '-1e308',
  '1e309',
  '1e-400',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '0b1',
  '1_000',
  '+1',
  ' 1',
  '1 ',
  '01',
  '9007199254740993',
  '99999999999999999999999999999999',
  '9'.repeat(400),
  '١',
  '１',
  'true',
  'null',
  '[]',
  '{}',
  '',
];

/** JSON the serializer emits verbatim (deep nesting, numbers JSON.stringify cannot write, duplicate keys). */
export class RawJson {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text.length > 80
      ? `RawJson(${this.text.slice(0, 40)}…${this.text.length} chars)`
      : `RawJson(${this.text})`;
  }
}

/** JSON text of `value`, with RawJson parts written as they are and own `__proto__` keys kept. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJsonText(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** A short odd string: snippets glued together, any code point, lone surrogates, graphemes. */
export const oddText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_SNIPPETS),
  fc.array(fc.constantFrom(...ODD_SNIPPETS), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({
    unit: fc.oneof(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }), loneSurrogate),
    maxLength: 16,
  }),
);

/** Long text: a run of one character or snippet, from just past typical bounds to far beyond them. */
export const hugeText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('a', '9', 'é', '😀', '\u0000', '\u202e', '%'),
    fc.constantFrom(129, 257, 513, 4001, 16_385, 70_000),
  )
  .map(([unit, n]) => unit.repeat(n));

/** `depth` nested arrays or objects as raw JSON (JSON.stringify of the real thing would itself overflow the stack). */
export const deepJson: fc.Arbitrary<RawJson> = fc
  .tuple(fc.constantFrom(9, 33, 1_000, 20_000, 120_000), fc.boolean())
  .map(
    ([depth, arrays]) =>
      new RawJson(
        arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      ),
  );

/** Numbers at and beyond the edges of what JSON, JavaScript and PostgreSQL hold. */
export const oddNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    1,
    -0,
    0.5,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 63,
  ),
  fc
    .constantFrom('1e400', '-1e400', '123456789012345678901234567890', '1e-400', '-0.0')
    .map((text) => new RawJson(text)),
  fc.double(),
  fc.integer(),
);

/** Any value in place of the expected one: wrong types, nulls, odd text and numbers, containers, deep nesting. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(null, true, false, '', [], {}, [null], { '': null }), weight: 4 },
  { arbitrary: oddText, weight: 4 },
  { arbitrary: oddNumber, weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: hugeText, weight: 1 },
  { arbitrary: deepJson, weight: 1 },
);

/** Names for fields nobody declared: prototype keys, near-misses of real ones, odd text. */
export const extraKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'admin',
    'roles',
    'id',
    '$where',
    'a.b',
    'a[0]',
    '',
  ),
  oddText,
);

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function utf8Bytes(codePoint: number): number[] {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
  if (codePoint < 0x10000)
    return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
  return [
    0xf0 | (codePoint >> 18),
    0x80 | ((codePoint >> 12) & 0x3f),
    0x80 | ((codePoint >> 6) & 0x3f),
    0x80 | (codePoint & 0x3f),
  ];
}

/**
 * Percent-encodes every code point but the unreserved ones, as UTF-8 — and a lone surrogate as the three bytes
 * WTF-8 gives it, which is what a sloppy client puts on the wire (encodeURIComponent throws on one instead).
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    if (UNRESERVED.test(ch)) out += ch;
    else
      out += utf8Bytes(ch.codePointAt(0)!)
        .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
  }
  return out;
}

/** Percent sequences as they are on the wire: truncated, not hex, overlong UTF-8, NUL, encoded slashes. */
export const rawPercentJunk: fc.Arbitrary<string> = fc.constantFrom(
  '%',
  '%z',
  '%zz',
  '%00',
  '%2F',
  '%2e%2e',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%E0%A4%A',
  '%25%32%35',
  '%u0041',
);

/** Header values Node lets a client send: tab, printable ASCII, and the bytes 0x80-0xFF (not valid UTF-8 alone). */
export const headerText: fc.Arbitrary<string> = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09))
    .map((c) => String.fromCharCode(c)),
  maxLength: 64,
});
