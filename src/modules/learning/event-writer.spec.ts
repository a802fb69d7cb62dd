import type { EventRow } from './event-row';
import { staleKeyUsers, type PendingEvent } from './event-writer';
import type { ValidEvent } from './learning-event.validator';

const U = '0190a0a0-0000-7000-8000-000000000001';
const item = (id: string, keyId: string): PendingEvent => ({
  index: 0,
  event: { userId: U } as ValidEvent,
  row: { id, userId: U, keyId } as EventRow,
});

describe('staleKeyUsers', () => {
  // One shared statement can carry two requests of one user sealed under different keys: the one resealed under the
  // current key is stored, the other is left out. Only the request whose own rows were left out is stale.
  const outcome = { inserted: new Set(['a']), consenting: new Set([U]), currentKeys: new Map([[U, 'k2']]) };

  it('finds a request stale only by its own rows', () => {
    expect(staleKeyUsers([item('a', 'k2')], outcome)).toEqual(new Set());
    expect(staleKeyUsers([item('b', 'k1')], outcome)).toEqual(new Set([U]));
  });

  it('does not call a row stale that was left out as a repeat under the current key, or for lack of consent', () => {
    expect(staleKeyUsers([item('c', 'k2')], outcome)).toEqual(new Set());
    expect(staleKeyUsers([item('d', 'k1')], { ...outcome, consenting: new Set<string>() })).toEqual(new Set());
  });
});
