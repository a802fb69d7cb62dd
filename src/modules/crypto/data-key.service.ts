import type { PoolClient } from 'pg';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { randomBytes, type KeyObject } from 'node:crypto';
import { isUuid } from '../../common/ids/uuid';
import { AppConfig } from '../../config/app-config';
import { aesKey, KEY_BYTES } from './aes-gcm';
import { DataKeyEvictionBus } from './data-key-eviction.bus';
import { DataKeyStore, type StoredDataKey } from './data-key.store';
import type { EncryptionContext } from './encryption-context';
import { KeyRing } from './key-ring';
import { TtlLruCache } from '../../common/cache/ttl-lru-cache';

/** An unwrapped data key. `id` is written into every envelope it seals. */
export interface DataKey {
  id: string;
  key: KeyObject;
}

/** User ids are uuids; one spelling (lower case) everywhere, as PostgreSQL returns them and as caches key them. */
export function canonicalUserId(userId: string): string {
  if (typeof userId !== 'string' || !isUuid(userId))
    throw new TypeError('A data key belongs to a user id that is a uuid');
  return userId.toLowerCase();
}

export const wrappedKeyContext = (userId: string, keyId: string): EncryptionContext => ({
  table: 'user_data_keys',
  rowId: keyId,
  userId,
  field: 'wrapped_key',
});

/**
 * Per-user data keys: created on first need, unwrapped once and then served from a bounded LRU with a TTL, so
 * the hot path does no database read once warm. Shredding deletes the key and evicts it on every instance.
 */
@Injectable()
export class DataKeyService implements OnModuleDestroy {
  private readonly cache: TtlLruCache<string, DataKey>;
  private readonly inflight = new Map<string, Promise<DataKey | null>>();
  /** Expired entries are only dropped on read; a sweep keeps shredded keys from lingering in memory. */
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly store: DataKeyStore,
    private readonly keyRing: KeyRing,
    private readonly eviction: DataKeyEvictionBus,
    config: AppConfig,
  ) {
    this.cache = new TtlLruCache(config.crypto.dataKeyCacheSize, config.crypto.dataKeyCacheTtlSeconds * 1000);
    // A load that overlapped an eviction does not cache what it read (it may predate a shred): see setIfUnchanged.
    this.eviction.onEviction((userId) => this.cache.delete(userId));
    this.eviction.onReset(() => this.cache.clear());
    this.sweeper = setInterval(() => this.cache.sweep(), config.crypto.dataKeyCacheTtlSeconds * 1000);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Whether a key id belonged to a user who was shredded (as opposed to a ciphertext that is tampered or misplaced). */
  wasShredded(keyId: string): Promise<boolean> {
    return this.store.wasShredded(keyId);
  }

  /** The user's key, or null when there is none (never created, or shredded). */
  async find(rawUserId: string, options: { bypassCache?: boolean } = {}): Promise<DataKey | null> {
    const userId = canonicalUserId(rawUserId);
    if (!options.bypassCache) {
      const cached = this.cache.get(userId);
      if (cached) return cached;
    }
    return this.singleFlight(`find:${userId}`, () => this.load(userId));
  }

  /** The user's key, created (concurrency-safe: one key per user however many callers race) if absent. */
  async getOrCreate(rawUserId: string): Promise<DataKey> {
    const userId = canonicalUserId(rawUserId);
    const cached = this.cache.get(userId);
    if (cached) return cached;
    const key = await this.singleFlight(
      `create:${userId}`,
      async () => (await this.load(userId)) ?? (await this.create(userId)),
    );
    return key as DataKey;
  }

  /**
   * Drops this instance's cached key of the user (the database said it is not the user's key any more); the next
   * use reads the stored one, or creates one if there is none.
   */
  forgetCached(rawUserId: string): void {
    this.cache.delete(canonicalUserId(rawUserId));
  }

  /**
   * Crypto-shreds a user: deletes the data key, so every ciphertext sealed with it becomes unreadable in the
   * live database and, once the last backup holding the key expires, everywhere. Returns whether a key existed.
   */
  async shredUser(rawUserId: string): Promise<boolean> {
    const userId = canonicalUserId(rawUserId);
    const existed = await this.store.delete(userId);
    this.cache.delete(userId);
    await this.eviction.publish(userId);
    return existed;
  }

  /**
   * Deletes the user's key inside the caller's transaction (it is gone when that commits). Caches are not touched:
   * call `shredUser` after the commit, which evicts them on every instance.
   */
  shredStored(tx: PoolClient, rawUserId: string): Promise<boolean> {
    return this.store.delete(canonicalUserId(rawUserId), tx);
  }

  private async load(userId: string): Promise<DataKey | null> {
    const generation = this.cache.generation;
    const stored = await this.store.find(userId);
    if (!stored) return null;
    return this.remember(userId, stored, generation);
  }

  private async create(userId: string): Promise<DataKey> {
    const generation = this.cache.generation;
    const material = randomBytes(KEY_BYTES);
    const keyId = randomBytes(9).toString('base64url');
    const { kekId, wrapped } = this.keyRing.wrap(material, wrappedKeyContext(userId, keyId));
    const key = aesKey(material);
    material.fill(0);
    if (await this.store.insertIfAbsent({ userId, keyId, wrappedKey: wrapped, kekId })) {
      const dataKey = { id: keyId, key };
      this.cache.setIfUnchanged(userId, dataKey, generation);
      return dataKey;
    }
    // Another instance created the user's key first: use that one.
    const winner = await this.load(userId);
    if (!winner) throw new Error('A data key vanished while it was being created');
    return winner;
  }

  private remember(userId: string, stored: StoredDataKey, generation: number): DataKey {
    const material = this.keyRing.unwrap(stored.wrappedKey, wrappedKeyContext(userId, stored.keyId));
    const dataKey = { id: stored.keyId, key: aesKey(material) };
    material.fill(0);
    this.cache.setIfUnchanged(userId, dataKey, generation);
    return dataKey;
  }

  private singleFlight(name: string, work: () => Promise<DataKey | null>): Promise<DataKey | null> {
    const running = this.inflight.get(name);
    if (running) return running;
    const promise = work().finally(() => this.inflight.delete(name));
    this.inflight.set(name, promise);
    return promise;
  }
}
