import type { AppConfig } from '../../config/app-config';
import { FailedAttemptsStore } from './failed-attempts.store';

describe(FailedAttemptsStore.name, () => {
  const config = { auth: { failedWindowSeconds: 900 } } as AppConfig;
  afterEach(() => jest.useRealTimers());

  it('counts failures per key within a window that starts at the first failure', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const sut = new FailedAttemptsStore(null, config);
    await sut.increment('a');
    jest.setSystemTime(1_000_000 + 100_000);
    const state = await sut.increment('a');
    expect(state).toEqual({ count: 2, retryAfterSeconds: 800 });
    expect(await sut.get('b')).toEqual({ count: 0, retryAfterSeconds: 0 });
    jest.setSystemTime(1_000_000 + 900_001);
    expect((await sut.get('a')).count).toBe(0);
  });

  it('forgets a key on reset', async () => {
    const sut = new FailedAttemptsStore(null, config);
    await sut.increment('a');
    await sut.reset('a');
    expect((await sut.get('a')).count).toBe(0);
  });
});
