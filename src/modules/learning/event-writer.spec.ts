import type { BlindIndexService } from '../crypto/blind-index.service';
import type { FieldEncryptionService } from '../crypto/field-encryption.service';
import type { EventRow } from './event-row';
import { EventWriter, staleKeyUsers, type PendingEvent } from './event-writer';
import type { InsertOutcome, LearningEventsRepository } from './learning-events.repository';
import type { LearningMetrics } from './learning.metrics';
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

describe(EventWriter.name, () => {
  const V = '0190a0a0-0000-7000-8000-000000000002';
  const event = (userId: string, index: number): PendingEvent => ({
    index,
    event: { userId, dataJson: '{}', signatureOf: null } as unknown as ValidEvent,
  });

  /** A cipher per user whose key id is `k1` until the cached key is forgotten, `k2` after. */
  function fakes(second: () => Promise<InsertOutcome>) {
    let forgotten = false;
    const encryption = {
      cipherFor: () => Promise.resolve({ keyId: forgotten ? 'k2' : 'k1', seal: () => Buffer.alloc(1) }),
      forgetCachedKey: () => (forgotten = true),
    } as unknown as FieldEncryptionService;
    let calls = 0;
    const repository = {
      insert: (rows: EventRow[]) => {
        calls++;
        if (calls > 1) return second();
        // The first statement stores V's row and leaves U's out: U's key is k2 now.
        return Promise.resolve({
          inserted: new Set(rows.filter((r) => r.userId === V).map((r) => r.id)),
          consenting: new Set([U, V]),
          currentKeys: new Map([
            [U, 'k2'],
            [V, 'k1'],
          ]),
        });
      },
    } as unknown as LearningEventsRepository;
    const sut = new EventWriter(
      repository,
      encryption,
      {} as BlindIndexService,
      { staleKeyResealed: () => undefined } as unknown as LearningMetrics,
    );
    return { sut };
  }

  it("seals a stale user's rows again under the current key and stores them by a second statement", async () => {
    const items = [event(U, 0), event(V, 1)];
    const { sut } = fakes(() =>
      Promise.resolve({
        inserted: new Set([items[0].row!.id]),
        consenting: new Set([U]),
        currentKeys: new Map([[U, 'k2']]),
      }),
    );
    const stored = new Set<string>();
    const outcome = await sut.write(items, stored);
    expect(items[0].row!.keyId).toBe('k2');
    expect(outcome.staleKey).toEqual(new Set());
    expect(outcome.inserted).toEqual(new Set([items[0].row!.id, items[1].row!.id]));
    expect(stored).toEqual(outcome.inserted);
  });

  it('keeps what the first statement stored and reports the rest stale when the second one fails', async () => {
    const items = [event(U, 0), event(V, 1)];
    const { sut } = fakes(() => Promise.reject(new Error('connection lost')));
    const stored = new Set<string>();
    const outcome = await sut.write(items, stored);
    expect(outcome.inserted).toEqual(new Set([items[1].row!.id]));
    expect(stored).toEqual(new Set([items[1].row!.id]));
    expect(outcome.staleKey).toEqual(new Set([U]));
  });
});
