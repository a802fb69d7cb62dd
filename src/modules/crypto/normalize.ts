/**
 * Normalization before blind indexing, so that texts a person would call "the same" index alike:
 * 1. Unicode NFKC (compatibility forms fold: full-width `Ａ` → `A`, `ﬁ` → `fi`, no-break space → space);
 * 2. lower case (locale-independent `toLowerCase`), then NFKC again, as lower-casing can denormalize;
 * 3. invisible format characters (Unicode category Cf: zero-width space and joiners, soft hyphen, BOM) removed;
 * 4. every run of whitespace (any Unicode White_Space: tabs, newlines, ideographic space) becomes one space;
 * 5. leading and trailing whitespace removed.
 * Punctuation and accents are kept: `café` and `cafe` are different corrections.
 */
export function normalizeForIndex(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/\p{White_Space}+/gu, ' ')
    .trim();
}
