import type Redis from 'ioredis';
import type { AppConfig } from '../../config/app-config';
import { strictFake } from '../../../test/support/strict-fake';
import { FailedAttemptsStore } from './failed-attempts.store';

describe(FailedAttemptsStore.name, () => {
  const config = {
    auth: { failedWindowSeconds: 900, maxFailedAttempts: 2, maxFailedAttemptsPerClient: 3 },
  } as AppConfig;
  afterEach(() => jest.useRealTimers());

  it('counts per (address, client) within a window that starts at the first attempt, and refuses past the limit', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const sut = new FailedAttemptsStore(null, config);
    expect(await sut.reserve('10.0.0.1', 'c1')).toEqual({
      granted: true,
      pairCount: 1,
      clientCount: 1,
      retryAfterSeconds: 900,
    });
    jest.setSystemTime(1_000_000 + 100_000);
    expect(await sut.reserve('10.0.0.1', 'c1')).toEqual({
      granted: true,
      pairCount: 2,
      clientCount: 2,
      retryAfterSeconds: 800,
    });
    expect(await sut.reserve('10.0.0.1', 'c1')).toEqual({
      granted: false,
      pairCount: 2,
      clientCount: 2,
      retryAfterSeconds: 800,
    });
    expect((await sut.reserve('10.0.0.1', 'c2')).granted).toBe(true);
    jest.setSystemTime(1_000_000 + 900_001);
    expect((await sut.reserve('10.0.0.1', 'c1')).granted).toBe(true);
  });

  it('refuses a client from every address once its own limit is reached', async () => {
    const sut = new FailedAttemptsStore(null, config);
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      expect((await sut.reserve(address, 'c1')).granted).toBe(true);
    expect(await sut.reserve('10.0.0.4', 'c1')).toMatchObject({ granted: false, pairCount: 0, clientCount: 3 });
  });

  it('grants no more than the limit to attempts made at the same time', async () => {
    const sut = new FailedAttemptsStore(null, config);
    const answers = await Promise.all(Array.from({ length: 30 }, () => sut.reserve('10.0.0.1', 'c1')));
    expect(answers.filter((a) => a.granted)).toHaveLength(2);
  });

  it('on success starts the address over and gives the attempt back to the client; a cancel gives back both', async () => {
    const sut = new FailedAttemptsStore(null, config);
    await sut.reserve('10.0.0.1', 'c1');
    await sut.reserve('10.0.0.1', 'c1');
    await sut.succeeded('10.0.0.1', 'c1');
    expect(await sut.reserve('10.0.0.1', 'c1')).toMatchObject({ granted: true, pairCount: 1, clientCount: 2 });
    await sut.cancel('10.0.0.1', 'c1');
    expect(await sut.reserve('10.0.0.1', 'c1')).toMatchObject({ granted: true, pairCount: 1, clientCount: 2 });
  });

  it('counts in this process while Redis is unreachable', async () => {
    const down = strictFake<Redis>(
      { status: 'ready', eval: () => Promise.reject(new Error('Connection is closed.')) },
      'redis',
    );
    const sut = new FailedAttemptsStore(down, config);
    expect((await sut.reserve('10.0.0.1', 'c1')).granted).toBe(true);
    expect((await sut.reserve('10.0.0.1', 'c1')).granted).toBe(true);
    expect((await sut.reserve('10.0.0.1', 'c1')).granted).toBe(false);
    const connecting = strictFake<Redis>({ status: 'connecting' }, 'redis');
    expect((await new FailedAttemptsStore(connecting, config).reserve('10.0.0.1', 'c1')).granted).toBe(true);
  });
});
