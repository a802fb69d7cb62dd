import { publishableCounts, releaseInsight, releasePattern } from './publication-gate';

const K = 5;

describe('releasePattern', () => {
  it('publishes everything when no count, difference or derived count is small', () => {
    expect(releasePattern({ support: 10, occurrences: 20, counts: { positive: 5, negative: 5 } }, K)).toEqual({
      occurrences: true,
      figures: true,
    });
  });

  it('withholds the figures, not the support, when a count or a complement is small', () => {
    // 6 raters of whom 1 is negative: the 1 (and 6 − 5) would be published.
    expect(releasePattern({ support: 6, occurrences: 12, counts: { positive: 5, negative: 1 } }, K)).toEqual({
      occurrences: true,
      figures: false,
    });
    // The users of a module who used neither action, derived from four published counts.
    expect(
      releasePattern(
        {
          support: 5,
          occurrences: 5,
          counts: { usersX: 10, usersY: 10, moduleUsers: 16 },
          derived: [16 - 10 - 10 + 5],
        },
        K,
      ).figures,
    ).toBe(false);
  });

  it('prefers the figures to the occurrences when only one of them can be published', () => {
    expect(releasePattern({ support: 10, occurrences: 12, counts: { contextUsers: 20 } }, K)).toEqual({
      occurrences: false,
      figures: true,
    });
    expect(releasePattern({ support: 10, occurrences: 12 }, K)).toEqual({ occurrences: false, figures: true });
  });
});

describe('releaseInsight', () => {
  it('refuses an insight whose complement or change is small', () => {
    expect(releaseInsight({ support: 10, aggregate: { users: 10, troubled: 8 } }, K)).toBe(false);
    expect(releaseInsight({ support: 30, aggregate: { current: 32, previous: 30 } }, K)).toBe(false);
    expect(releaseInsight({ support: 10, aggregate: { users: 15, troubled: 10 } }, K)).toBe(true);
  });
});

describe('publishableCounts', () => {
  it('adds optional counts in order while the set stays free of small cells', () => {
    expect(
      publishableCounts(
        { users: 40 },
        [
          ['correcting', 12],
          ['rating', 10],
          ['satisfied', 20],
        ],
        K,
      ),
    ).toEqual({ users: 40, correcting: 12, satisfied: 20 });
  });
});
