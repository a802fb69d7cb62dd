import { randomBytes } from 'node:crypto';
import { strictFake } from '../../../test/support/strict-fake';
import type { AppConfig } from '../../config/app-config';
import type { DataKeyEvictionBus } from './data-key-eviction.bus';
import { DataKeyService } from './data-key.service';
import type { DataKeyStore, StoredDataKey } from './data-key.store';
import { KeyRing } from './key-ring';

const config = {
  crypto: { keys: [{ id: 'k1', key: randomBytes(32) }], currentKeyId: 'k1', dataKeyCacheSize: 100, dataKeyCacheTtlSeconds: 60 },
} as unknown as AppConfig;

function memoryStore() {
  const rows = new Map<string, StoredDataKey>();
  const calls = { find: 0, insert: 0, delete: 0 };
  const store = strictFake<DataKeyStore>(
    {
      find: async (userId: string) => {
        calls.find++;
        await new Promise((r) => setImmediate(r));
        return rows.get(userId) ?? null;
      },
      insertIfAbsent: async (key: StoredDataKey) => {
        calls.insert++;
        await new Promise((r) => setImmediate(r));
        if (rows.has(key.userId)) return false;
        rows.set(key.userId, key);
        return true;
      },
      delete: async (userId: string) => {
        calls.delete++;
        return rows.delete(userId);
      },
    },
    'DataKeyStore',
  );
  return { store, rows, calls };
}

function eviction() {
  const published: string[] = [];
  let handler: (userId: string) => void = () => undefined;
  const bus = strictFake<DataKeyEvictionBus>(
    {
      onEviction: (h: (userId: string) => void) => void (handler = h),
      publish: async (userId: string) => void published.push(userId),
    },
    'DataKeyEvictionBus',
  );
  return { bus, published, deliver: (userId: string) => handler(userId) };
}

describe(DataKeyService.name, () => {
  const keyRing = new KeyRing(config);

  it('creates one key for a user however many first requests race, and then serves it from memory', async () => {
    const { store, rows, calls } = memoryStore();
    const sut = new DataKeyService(store, keyRing, eviction().bus, config);
    const keys = await Promise.all(Array.from({ length: 20 }, () => sut.getOrCreate('u1')));
    expect(new Set(keys.map((k) => k.id)).size).toBe(1);
    expect(rows.size).toBe(1);
    expect(calls.insert).toBe(1);
    const before = { ...calls };
    await sut.getOrCreate('u1');
    await sut.find('u1');
    expect(calls).toEqual(before);
  });

  it('adopts the key another instance inserted first', async () => {
    const { store, rows, calls } = memoryStore();
    await new DataKeyService(store, keyRing, eviction().bus, config).getOrCreate('u2');
    const theirs = rows.get('u2') as StoredDataKey;
    // Our lookup ran just before the other instance's insert landed: it saw nothing, so we try to insert too.
    const find = store.find.bind(store);
    let first = true;
    Object.assign(store, { find: async (userId: string) => (first ? ((first = false), null) : find(userId)) });
    const sut = new DataKeyService(store, keyRing, eviction().bus, config);
    const ours = await sut.getOrCreate('u2');
    expect(calls.insert).toBe(2);
    expect(ours.id).toBe(theirs.keyId);
    expect(rows.get('u2')).toBe(theirs);
  });

  it('unwraps a stored key on a cold read and returns null for a user without one', async () => {
    const { store } = memoryStore();
    const writer = new DataKeyService(store, keyRing, eviction().bus, config);
    const created = await writer.getOrCreate('u3');
    const reader = new DataKeyService(store, keyRing, eviction().bus, config);
    const loaded = await reader.find('u3');
    expect(loaded?.id).toBe(created.id);
    expect(loaded?.key.export()).toEqual(created.key.export());
    expect(await reader.find('nobody')).toBeNull();
  });

  it('shreds: deletes the key, forgets it locally and tells the other instances', async () => {
    const { store, rows } = memoryStore();
    const events = eviction();
    const sut = new DataKeyService(store, keyRing, events.bus, config);
    await sut.getOrCreate('u4');
    expect(await sut.shredUser('u4')).toBe(true);
    expect(rows.has('u4')).toBe(false);
    expect(events.published).toEqual(['u4']);
    expect(await sut.find('u4')).toBeNull();
    expect(await sut.shredUser('u4')).toBe(false);
  });

  it('drops a cached key when another instance announces a shred', async () => {
    const { store, rows } = memoryStore();
    const events = eviction();
    const sut = new DataKeyService(store, keyRing, events.bus, config);
    await sut.getOrCreate('u5');
    rows.delete('u5');
    expect(await sut.find('u5')).not.toBeNull();
    events.deliver('u5');
    expect(await sut.find('u5')).toBeNull();
  });
});
