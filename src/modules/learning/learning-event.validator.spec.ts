import type { AuthUser } from '../../common/auth/auth-user';
import { eventsOfBatch, validateEvent } from './learning-event.validator';

const user = '0b7e4c7a-6f1e-4b8e-9a53-2a1d3c4b5e6f';
const now = Date.parse('2026-11-24T12:00:00Z');
const ctx = (caller: AuthUser) => ({ caller, now, oldestMs: now - 90 * 86_400_000 });
const asUser: AuthUser = { sub: user, roles: ['user'] };
const asService: AuthUser = { sub: 'svc', roles: ['service'] };
const base = { eventType: 'feedback', context: { module: 'chat', action: 'answer' }, data: { rating: 4 } };

describe(validateEvent.name, () => {
  it('pulls the clear columns out of data and defaults the time to now', () => {
    const result = validateEvent({ ...base, data: { rating: 4, sentiment: 'positive' } }, ctx(asUser));
    expect(result).toEqual({
      ok: true,
      event: expect.objectContaining({
        userId: user,
        rating: 4,
        sentiment: 'positive',
        timestamp: new Date(now),
        labels: null,
        signatureOf: null,
      }),
    });
  });

  it('takes the user from a user token, and refuses another user with 403', () => {
    expect(validateEvent(base, ctx(asUser)).ok).toBe(true);
    const other = validateEvent({ ...base, userId: '1b7e4c7a-6f1e-4b8e-9a53-2a1d3c4b5e6f' }, ctx(asUser));
    expect(other).toMatchObject({ ok: false, error: { code: 'LEARNING.FOREIGN_USER', kind: 'forbidden' } });
    expect(validateEvent({ ...base, userId: user.toUpperCase() }, ctx(asService))).toMatchObject({
      ok: true,
      event: { userId: user },
    });
  });

  it('counts characters as code points, not UTF-16 units', () => {
    const emoji = '😀'.repeat(4000); // 8,000 UTF-16 units, 4,000 code points
    const ok = validateEvent(
      { ...base, userId: user, eventType: 'correction', data: { original: emoji, corrected: 'x' } },
      ctx(asService),
    );
    expect(ok.ok).toBe(true);
    const over = validateEvent(
      { ...base, userId: user, eventType: 'correction', data: { original: `${emoji}a`, corrected: 'x' } },
      ctx(asService),
    );
    expect(over).toMatchObject({ ok: false, error: { errors: [{ field: 'data.original' }] } });
  });

  it('names every failed field at once', () => {
    const result = validateEvent(
      { eventType: 'x', context: { module: 'A' }, data: [], clientEventId: 'has space' },
      ctx(asService),
    );
    expect(result.ok).toBe(false);
    const fields = (result as { error: { errors: { field: string }[] } }).error.errors.map((e) => e.field);
    expect(fields).toEqual(['userId', 'eventType', 'context.module', 'context.action', 'clientEventId', 'data']);
  });

  it('signs corrections and reported patterns over their text, and nothing else', () => {
    const c = validateEvent(
      {
        userId: user,
        eventType: 'correction',
        context: { module: 'm', action: 'a' },
        data: { original: 'a', corrected: 'b' },
      },
      ctx(asService),
    );
    expect(c).toMatchObject({ ok: true, event: { signatureOf: { domain: 'correction', parts: ['a', 'b'] } } });
    const p = validateEvent(
      {
        userId: user,
        eventType: 'pattern_discovery',
        context: { module: 'm', action: 'a' },
        data: { patternType: 'seq', signature: 's', items: ['x'] },
      },
      ctx(asService),
    );
    expect(p).toMatchObject({ ok: true, event: { signatureOf: { domain: 'reported', parts: ['seq', 's'] } } });
  });
});

describe(eventsOfBatch.name, () => {
  it('accepts 1..max events and names the envelope’s problem otherwise', () => {
    expect(eventsOfBatch({ events: [1, 2] }, 2)).toEqual([1, 2]);
    expect(() => eventsOfBatch({ events: [1, 2, 3] }, 2)).toThrow(
      expect.objectContaining({ errors: [{ field: 'events', message: expect.any(String) }] }),
    );
    expect(() => eventsOfBatch([], 2)).toThrow(
      expect.objectContaining({ errors: [{ field: 'body', message: expect.any(String) }] }),
    );
  });
});
