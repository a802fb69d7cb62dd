import { DomainError } from './domain.error';

const frames = (error: Error) =>
  (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).length;

describe('DomainError', () => {
  it('captures no stack for refusals the client caused', () => {
    for (const kind of ['invalid', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'rate_limited'] as const) {
      const error = new DomainError('AREA.REASON', kind, 'refused');
      expect(frames(error)).toBe(0);
      expect(error.message).toBe('refused');
    }
  });

  it('keeps the stack of its own failures, for the log', () => {
    expect(frames(new DomainError('AREA.BROKEN', 'internal', 'broken'))).toBeGreaterThan(0);
    expect(frames(new DomainError('DATABASE.UNAVAILABLE', 'unavailable', 'down'))).toBeGreaterThan(0);
  });

  it('leaves the process-wide stack trace limit as it was', () => {
    const before = Error.stackTraceLimit;
    new DomainError('AREA.REASON', 'forbidden', 'refused');
    expect(Error.stackTraceLimit).toBe(before);
    expect(frames(new Error('plain'))).toBeGreaterThan(0);
  });
});
