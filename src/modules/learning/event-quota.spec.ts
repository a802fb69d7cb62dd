import { createHash } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import type { BlindIndexService } from '../crypto/blind-index.service';
import { EventQuota } from './event-quota';

const blindIndex = {
  compute: (domain: string, value: string) => createHash('sha256').update(`${domain}|${value}`).digest('hex'),
} as unknown as BlindIndexService;

const config = (events: number, bytes: number, windowSeconds = 60) =>
  ({ learning: { userQuota: { events, bytes, windowSeconds } } }) as unknown as AppConfig;
const U1 = '0190a0a0-0000-7000-8000-000000000001';
const U2 = '0190a0a0-0000-7000-8000-000000000002';

describe('EventQuota (in process)', () => {
  const t0 = 1_800_000_000_000; // a window boundary for 60 s windows

  it('admits each user’s items in order while both the count and the bytes fit, users apart', async () => {
    const quota = new EventQuota(null, config(3, 1000), blindIndex);
    const first = await quota.reserve(
      [
        { userId: U1, sizes: [100, 100] },
        { userId: U2, sizes: [900, 200, 10] },
      ],
      t0 + 15_000,
    );
    expect(first.admitted).toEqual([2, 1]); // U2's second item would pass 1000 bytes; later items wait behind it
    expect(first.retryAfterSeconds).toBe(45);
    expect((await quota.reserve([{ userId: U1, sizes: [1, 1] }], t0 + 20_000)).admitted).toEqual([1]); // the 3rd event
    expect((await quota.reserve([{ userId: U1, sizes: [1] }], t0 + 59_999)).admitted).toEqual([0]);
  });

  it('starts over in the next window and takes refunds in the window they were reserved in', async () => {
    const quota = new EventQuota(null, config(2, 10_000), blindIndex);
    const r = await quota.reserve([{ userId: U1, sizes: [10, 10] }], t0);
    expect(r.admitted).toEqual([2]);
    await quota.refund(r, [{ userId: U1, events: 1, bytes: 10 }]);
    expect((await quota.reserve([{ userId: U1, sizes: [10, 10] }], t0 + 1)).admitted).toEqual([1]);
    await quota.refund({ ...r, window: r.window - 1 }, [{ userId: U1, events: 2, bytes: 20 }]); // an old window: ignored
    expect((await quota.reserve([{ userId: U1, sizes: [10] }], t0 + 2)).admitted).toEqual([0]);
    expect((await quota.reserve([{ userId: U1, sizes: [10, 10, 10] }], t0 + 60_000)).admitted).toEqual([2]);
  });
});
