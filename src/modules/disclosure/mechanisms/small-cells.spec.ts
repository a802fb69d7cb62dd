import { smallCell } from './small-cells';

describe('smallCell', () => {
  it('finds a small count, a small complement, a small change and a small derived count', () => {
    expect(smallCell([6, 1], 5)).toBe(1);
    expect(smallCell([6, 5], 5)).toBe(1); // 6 raters, 5 satisfied: 1 was not
    expect(smallCell([30, 28], 5)).toBe(2); // 30 users now, 28 before
    // 20 module users, 12 used x, 10 used y, 3 used both: 1 used neither.
    expect(smallCell([20, 12, 10, 5], 5, [20 - 12 - 10 + 5])).toBe(2);
    expect(smallCell([20, 12, 17, 10], 5, [20 - 12 - 17 + 10])).toBe(1);
  });

  it('passes counts whose every difference and derived count is 0 or at least k', () => {
    expect(smallCell([10, 5], 5)).toBeNull();
    expect(smallCell([20, 10, 10, 5, 0], 5, [20 - 10 - 10 + 5])).toBeNull();
    expect(smallCell([], 5)).toBeNull();
  });

  it('treats a figure that is not finite as a small cell', () => {
    expect(smallCell([10, Number.NaN], 5)).toBeNaN();
  });
});
