import { smallCell } from './small-cells';

describe('smallCell', () => {
  it('finds a small count, a small complement and a small inclusion–exclusion term', () => {
    expect(smallCell([6, 1], 5)).toBe(1);
    expect(smallCell([6, 5], 5)).toBe(1); // 6 raters, 5 satisfied: 1 was not
    expect(smallCell([20, 12, 10, 3], 5)).toBe(1); // 20 module users − 12 of x − 10 of y + 3 of both: 1 used neither
    expect(smallCell([30, 10, 12, 5], 5)).toBe(2); // users of y − users of x
  });

  it('passes counts whose every combination is 0 or at least k', () => {
    expect(smallCell([10, 5], 5)).toBeNull();
    expect(smallCell([20, 10, 10, 5, 0], 5)).toBeNull();
    expect(smallCell([], 5)).toBeNull();
  });

  it('treats a figure that is not finite as a small cell', () => {
    expect(smallCell([10, Number.NaN], 5)).toBeNaN();
  });
});
