import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { SharedOrLocal } from '../resilience/shared-or-local';
import type { ThrottlerRecord } from './memory-throttler-storage';

/**
 * Shared rate limits through Redis while it is up, this process's own while it is not: a request never waits for or
 * fails on an unreachable Redis (limits then hold per instance, and the switch is logged once each way).
 */
export class FallbackThrottlerStorage implements ThrottlerStorage {
  private readonly shared: SharedOrLocal<ThrottlerStorage>;

  constructor(
    shared: ThrottlerStorage,
    private readonly local: ThrottlerStorage,
    sharedUp: () => boolean,
  ) {
    this.shared = new SharedOrLocal(shared, sharedUp, new Logger('RateLimits'), 'Rate limits');
  }

  async increment(...hit: Parameters<ThrottlerStorage['increment']>): Promise<ThrottlerRecord> {
    const record = await this.shared.run((storage) => storage.increment(...hit));
    return record ?? this.local.increment(...hit);
  }
}
