import type { ExecutionContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppThrottlerGuard } from './app-throttler.guard';

class ItemsController {
  list(): void {}
}

describe('AppThrottlerGuard', () => {
  const context = {
    getClass: () => ItemsController,
    getHandler: () => ItemsController.prototype.list,
  } as unknown as ExecutionContext;
  const guard = new AppThrottlerGuard({ throttlers: [] }, {} as never, {} as never) as unknown as {
    generateKey(c: ExecutionContext, suffix: string, name: string): string;
    keys: Map<string, string>;
  };

  it('keys like the built-in guard: the SHA-256 hex of route, throttler and client, no address in clear', () => {
    const expected = createHash('sha256').update('ItemsController-list-default-203.0.113.7').digest('hex');
    expect(guard.generateKey(context, '203.0.113.7', 'default')).toBe(expected);
    expect(guard.generateKey(context, '203.0.113.7', 'default')).toBe(expected);
    expect(guard.generateKey(context, '203.0.113.8', 'default')).not.toBe(expected);
  });

  it('remembers a bounded number of keys', () => {
    for (let i = 0; i < 25_000; i++) guard.generateKey(context, `10.0.${i >> 8}.${i & 255}`, 'default');
    expect(guard.keys.size).toBeLessThanOrEqual(10_000);
  });
});
