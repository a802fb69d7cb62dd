import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { blindIndexFingerprint, BlindIndexService } from './blind-index.service';
import { normalizeForIndex } from './normalize';

describe('normalizeForIndex', () => {
  it.each([
    ['case', 'Use TypeScript', 'use typescript'],
    ['surrounding whitespace', '  hello\t', 'hello'],
    ['inner whitespace runs, tabs and newlines', 'a \t\n  b', 'a b'],
    ['no-break and ideographic spaces', 'a\u00a0b\u3000c', 'a b c'],
    ['full-width letters (NFKC)', 'ＡＢＣ１２３', 'abc123'],
    ['ligatures (NFKC)', 'ﬁle', 'file'],
    ['composed and decomposed accents (NFKC)', 'cafe\u0301', 'café'],
    ['zero-width and soft-hyphen characters', 'zero\u200bwidth\u00adtext\ufeff', 'zerowidthtext'],
    ['German sharp s stays (no case folding to ss)', 'STRAẞE', 'straße'],
    ['next-line and line-separator characters', 'a\u0085b\u2028c', 'a b c'],
  ])('folds %s', (_rule, input, expected) => {
    expect(normalizeForIndex(input)).toBe(expected);
  });

  it('keeps punctuation and accents that change meaning', () => {
    expect(normalizeForIndex('café')).not.toBe(normalizeForIndex('cafe'));
    expect(normalizeForIndex("don't")).not.toBe(normalizeForIndex('dont'));
  });
});

describe(BlindIndexService.name, () => {
  const root = randomBytes(32);
  let sut: BlindIndexService;

  beforeEach(() => {
    sut = new BlindIndexService();
    sut.useRootKey(Buffer.from(root));
  });

  it('is HMAC-SHA256 under an HKDF-SHA256 key derived per domain from the root', () => {
    const domainKey = Buffer.from(
      hkdfSync('sha256', root, Buffer.alloc(0), 'ai-learning/blind-index/v1/correction', 32),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32BE(5);
    const expected = createHmac('sha256', domainKey).update(length).update('hello').digest('hex');
    expect(sut.compute('correction', '  HELLO ')).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches texts that normalize alike and nothing else', () => {
    expect(sut.compute('correction', 'Teh  cat', 'The cat')).toBe(sut.compute('correction', 'teh cat', 'THE CAT'));
    expect(sut.compute('correction', 'teh cat', 'the cat')).not.toBe(sut.compute('correction', 'the cat', 'teh cat'));
    expect(sut.compute('correction', 'ab', 'c')).not.toBe(sut.compute('correction', 'a', 'bc'));
  });

  it('separates domains and roots', () => {
    expect(sut.compute('correction', 'x')).not.toBe(sut.compute('pattern', 'x'));
    const other = new BlindIndexService();
    other.useRootKey(randomBytes(32));
    expect(other.compute('correction', 'x')).not.toBe(sut.compute('correction', 'x'));
  });

  it('refuses to index before the root key is loaded, and bad domains or inputs', () => {
    expect(() => new BlindIndexService().compute('correction', 'x')).toThrow(/not loaded/);
    expect(() => sut.compute('Bad Domain', 'x')).toThrow(TypeError);
    expect(() => sut.compute('correction')).toThrow(TypeError);
    expect(() => sut.useRootKey(Buffer.alloc(16))).toThrow(RangeError);
  });

  it('keeps its own copy of the root and zeroes the one it was given', () => {
    const given = Buffer.from(root);
    const other = new BlindIndexService();
    other.useRootKey(given);
    expect(given.equals(Buffer.alloc(32))).toBe(true);
    expect(other.compute('correction', 'x')).toBe(sut.compute('correction', 'x'));
  });

  it('fingerprints a root without revealing it', () => {
    expect(blindIndexFingerprint(root)).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndexFingerprint(root)).not.toContain(root.toString('hex'));
    expect(blindIndexFingerprint(randomBytes(32))).not.toBe(blindIndexFingerprint(root));
  });
});
