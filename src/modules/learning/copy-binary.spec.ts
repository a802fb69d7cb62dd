import { randomUUID } from 'node:crypto';
import { writeUuid } from './copy-binary';

describe(writeUuid.name, () => {
  it('writes the 16 bytes of a uuid, in either case', () => {
    for (let i = 0; i < 100; i++) {
      const id = randomUUID();
      const expected = Buffer.from(id.replace(/-/g, ''), 'hex');
      for (const text of [id, id.toUpperCase()]) {
        const buf = Buffer.alloc(20);
        expect(writeUuid(buf, 2, text)).toBe(18);
        expect(buf.subarray(2, 18)).toEqual(expected);
      }
    }
  });

  it.each([
    ['too short', '0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6'],
    ['a hyphen missing', '0190a3b4-5c6d-7e8f-9a0b1c2d3e4f5a6b7'],
    ['a non-hex digit', '0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6g'],
    ['a non-ASCII character', '0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6é'],
  ])('refuses %s', (_, text) => {
    expect(() => writeUuid(Buffer.alloc(16), 0, text)).toThrow(TypeError);
  });
});
