import { uuidv7 } from './uuid-v7';

describe(uuidv7.name, () => {
  it('makes RFC 9562 version-7 uuids that sort by creation time', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
    expect(a.replace(/-/g, '').slice(0, 12)).toBe((1_700_000_000_000).toString(16).padStart(12, '0'));
  });
});

describe('uuidv7 sequence', () => {
  it('orders ids made in one process strictly by creation, even thousands within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1] < ids[i]).toBe(true);
    for (const id of ids.slice(0, 50))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('never goes back when the clock does', () => {
    const realNow = Date.now;
    const first = uuidv7();
    try {
      Date.now = () => realNow() - 60_000;
      expect(uuidv7() > first).toBe(true);
    } finally {
      Date.now = realNow;
    }
  });
});
