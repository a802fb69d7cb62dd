import { decodeCursor, encodeCursor } from './cursor';

describe('cursor', () => {
  it('round-trips a position for the same filters', () => {
    const sut = encodeCursor(['2026-01-01T00:00:00.000Z', 'id-1'], { action: 'a', actor: undefined });
    expect(decodeCursor(sut, { actor: undefined, action: 'a' })).toEqual(['2026-01-01T00:00:00.000Z', 'id-1']);
  });

  it('refuses a cursor made for other filters, and garbage', () => {
    const sut = encodeCursor([1], { action: 'a' });
    expect(decodeCursor(sut, { action: 'b' })).toBeNull();
    expect(decodeCursor('not base64!', {})).toBeNull();
    expect(decodeCursor(Buffer.from('{"p":1}').toString('base64url'), {})).toBeNull();
    expect(decodeCursor('x'.repeat(600), {})).toBeNull();
  });
});
