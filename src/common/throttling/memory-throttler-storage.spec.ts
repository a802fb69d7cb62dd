import { ThrottlerStorageService } from '@nestjs/throttler';
import { MemoryThrottlerStorage } from './memory-throttler-storage';

/** Drives both storages with the same clock and requests; they must answer alike. */
describe(MemoryThrottlerStorage.name, () => {
  let clock = 1_000_000;
  const realNow = Date.now;
  beforeEach(() => {
    clock = 1_000_000;
    Date.now = () => clock;
  });
  afterEach(() => {
    Date.now = realNow;
  });

  async function compare(
    steps: { advanceMs: number; key?: string }[],
    ttl: number,
    limit: number,
    blockDuration: number,
  ) {
    const ours = new MemoryThrottlerStorage(() => clock);
    const reference = new ThrottlerStorageService();
    try {
      for (const step of steps) {
        clock += step.advanceMs;
        const key = step.key ?? 'k';
        const [a, b] = await Promise.all([
          ours.increment(key, ttl, limit, blockDuration, 'default'),
          reference.increment(key, ttl, limit, blockDuration, 'default'),
        ]);
        expect(a).toEqual(b);
      }
    } finally {
      ours.close();
      reference.onApplicationShutdown();
    }
  }

  it('counts hits in a sliding window and blocks past the limit for the block duration, like the built-in storage', async () => {
    const steps = [
      ...Array.from({ length: 7 }, () => ({ advanceMs: 100 })),
      { advanceMs: 1_500 }, // still blocked (block of 2 s)
      { advanceMs: 600 }, // block over: starts afresh
      ...Array.from({ length: 4 }, () => ({ advanceMs: 300 })),
      { advanceMs: 5_000, key: 'other' },
      { advanceMs: 10 },
    ];
    await compare(steps, 1_000, 5, 2_000);
  });

  it('without a block duration refuses only while the window is full', async () => {
    await compare(
      Array.from({ length: 30 }, (_, i) => ({ advanceMs: i % 7 === 0 ? 400 : 50 })),
      1_000,
      4,
      0,
    );
  });

  it('costs the same per request whatever the limit (only expired hits are looked at)', async () => {
    const storage = new MemoryThrottlerStorage(() => clock);
    try {
      for (let i = 0; i < 50_000; i++) {
        clock += 1;
        await storage.increment('busy', 60_000, 1_000_000, 60_000, 'default');
      }
      const record = await storage.increment('busy', 60_000, 1_000_000, 60_000, 'default');
      expect(record).toMatchObject({ totalHits: 50_001, isBlocked: false });
      clock += 60_001;
      expect((await storage.increment('busy', 60_000, 1_000_000, 60_000, 'default')).totalHits).toBe(1);
    } finally {
      storage.close();
    }
  });
});
