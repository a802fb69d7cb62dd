import { Injectable, type ExecutionContext } from '@nestjs/common';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { RouteMetadata } from '../metadata/route-metadata';
import { hash } from 'node:crypto';

/** Storage keys remembered per (route, throttler, client); past this many the memo starts over. */
const MAX_KEYS = 10_000;

/**
 * The built-in guard with a cheaper storage key. The key stays what the built-in one is, a SHA-256 hex digest of
 * route, throttler and client address (so no address is stored in Redis), but each distinct key is hashed once
 * and then found in a bounded map: hashing on every request was a tenth of a cached read's time. Its six route
 * metadata lookups per request are answered from memory (RouteMetadata).
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  private readonly keys = new Map<string, string>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    metadata: RouteMetadata,
  ) {
    super(options, storage, metadata);
  }

  protected override generateKey(context: ExecutionContext, suffix: string, name: string): string {
    const plain = `${context.getClass().name}-${context.getHandler().name}-${name}-${suffix}`;
    let key = this.keys.get(plain);
    if (key === undefined) {
      if (this.keys.size >= MAX_KEYS) this.keys.clear();
      key = hash('sha256', plain, 'hex');
      this.keys.set(plain, key);
    }
    return key;
  }
}
