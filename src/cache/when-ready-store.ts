import type KeyvRedis from '@keyv/redis';
import { EventEmitter } from 'node:events';

/**
 * The Redis tier as a store that only talks to Redis while its connection is ready: otherwise reads are misses and
 * writes are skipped at once, instead of each request waiting for a connection attempt to time out. The connection
 * is opened at start and re-established in the background by the client.
 */
export class WhenReadyStore extends EventEmitter {
  readonly opts: unknown;
  readonly namespace?: string;

  constructor(private readonly redis: KeyvRedis<unknown>) {
    super();
    this.opts = redis.opts;
    redis.on('error', (error: unknown) => this.emit('error', error));
    void redis.getClient().catch(() => undefined);
  }

  get ready(): boolean {
    return (this.redis.client as { isReady?: boolean }).isReady === true;
  }

  get<Value>(key: string): Promise<Value | undefined> {
    return this.ready ? this.redis.get<Value>(key) : Promise.resolve(undefined);
  }

  set(key: string, value: unknown, ttl?: number): Promise<unknown> {
    return this.ready ? this.redis.set(key, value as never, ttl) : Promise.resolve(false);
  }

  delete(key: string): Promise<boolean> {
    return this.ready ? this.redis.delete(key) : Promise.resolve(false);
  }

  clear(): Promise<void> {
    return this.ready ? this.redis.clear() : Promise.resolve();
  }

  disconnect(): Promise<void> {
    return this.redis.disconnect().catch(() => undefined);
  }
}
