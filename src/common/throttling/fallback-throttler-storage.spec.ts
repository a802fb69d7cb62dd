import { FallbackThrottlerStorage } from './fallback-throttler-storage';
import type { ThrottlerRecord } from './memory-throttler-storage';

const record = (totalHits: number): ThrottlerRecord => ({
  totalHits,
  timeToExpire: 60,
  isBlocked: false,
  timeToBlockExpire: 0,
});

describe(FallbackThrottlerStorage.name, () => {
  function setup(up: boolean, sharedFails = false) {
    const calls: string[] = [];
    const shared = {
      increment: async () => {
        calls.push('shared');
        if (sharedFails) throw new Error('Connection is closed.');
        return record(1);
      },
    };
    const local = {
      increment: async () => {
        calls.push('local');
        return record(2);
      },
    };
    return { calls, storage: new FallbackThrottlerStorage(shared, local, () => up) };
  }

  it('counts in Redis while it is up', async () => {
    const { calls, storage } = setup(true);
    expect(await storage.increment('k', 60_000, 10, 0, 'default')).toEqual(record(1));
    expect(calls).toEqual(['shared']);
  });

  it('counts locally, without trying Redis, while it is down', async () => {
    const { calls, storage } = setup(false);
    expect(await storage.increment('k', 60_000, 10, 0, 'default')).toEqual(record(2));
    expect(calls).toEqual(['local']);
  });

  it('counts locally when Redis fails the command', async () => {
    const { calls, storage } = setup(true, true);
    expect(await storage.increment('k', 60_000, 10, 0, 'default')).toEqual(record(2));
    expect(calls).toEqual(['shared', 'local']);
  });
});
