import { randomUUID } from 'node:crypto';
import { strictFake } from '../../../test/support/strict-fake';
import type { DataKeyEvictionBus } from './data-key-eviction.bus';
import { DataKeyService } from './data-key.service';
import type { DataKeyStore, StoredDataKey } from './data-key.store';
import { KeyRing } from './key-ring';
import { oneKeyConfig } from '../../../test/support/crypto-config';

const config = oneKeyConfig(100, 60);

function memoryStore() {
  const rows = new Map<string, StoredDataKey>();
  const calls = { find: 0, insert: 0, delete: 0 };
  const store = strictFake<DataKeyStore>(
    {
      find: async (userId: string) => {
        calls.find++;
        const row = rows.get(userId) ?? null; // what the database returned; the answer arrives a tick later
        await new Promise((r) => setImmediate(r));
        return row;
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
  let reset: () => void = () => undefined;
  const bus = strictFake<DataKeyEvictionBus>(
    {
      onEviction: (h: (userId: string) => void) => void (handler = h),
      onReset: (h: () => void) => void (reset = h),
      publish: async (userId: string) => void published.push(userId),
    },
    'DataKeyEvictionBus',
  );
  return { bus, published, deliver: (userId: string) => handler(userId), reset: () => reset() };
}

const U = Object.fromEntries(['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'].map((k) => [k, randomUUID()]));

describe(DataKeyService.name, () => {
  const services: DataKeyService[] = [];
  afterEach(() => services.splice(0).forEach((s) => s.onModuleDestroy()));
  const keyRing = new KeyRing(config);
  const track = (s: DataKeyService) => (services.push(s), s);

  it('creates one key for a user however many first requests race, and then serves it from memory', async () => {
    const { store, rows, calls } = memoryStore();
    const sut = track(new DataKeyService(store, keyRing, eviction().bus, config));
    const keys = await Promise.all(Array.from({ length: 20 }, () => sut.getOrCreate(U.u1)));
    expect(new Set(keys.map((k) => k.id)).size).toBe(1);
    expect(rows.size).toBe(1);
    expect(calls.insert).toBe(1);
    const before = { ...calls };
    await sut.getOrCreate(U.u1);
    await sut.find(U.u1);
    expect(calls).toEqual(before);
  });

  it('adopts the key another instance inserted first', async () => {
    const { store, rows, calls } = memoryStore();
    await track(new DataKeyService(store, keyRing, eviction().bus, config)).getOrCreate(U.u2);
    const theirs = rows.get(U.u2) as StoredDataKey;
    // Our lookup ran just before the other instance's insert landed: it saw nothing, so we try to insert too.
    const find = store.find.bind(store);
    let first = true;
    Object.assign(store, { find: async (userId: string) => (first ? ((first = false), null) : find(userId)) });
    const sut = track(new DataKeyService(store, keyRing, eviction().bus, config));
    const ours = await sut.getOrCreate(U.u2);
    expect(calls.insert).toBe(2);
    expect(ours.id).toBe(theirs.keyId);
    expect(rows.get(U.u2)).toBe(theirs);
  });

  it('unwraps a stored key on a cold read and returns null for a user without one', async () => {
    const { store } = memoryStore();
    const writer = track(new DataKeyService(store, keyRing, eviction().bus, config));
    const created = await writer.getOrCreate(U.u3);
    const reader = track(new DataKeyService(store, keyRing, eviction().bus, config));
    const loaded = await reader.find(U.u3);
    expect(loaded?.id).toBe(created.id);
    expect(loaded?.key.export()).toEqual(created.key.export());
    expect(await reader.find(randomUUID())).toBeNull();
  });

  it('shreds: deletes the key, forgets it locally and tells the other instances', async () => {
    const { store, rows } = memoryStore();
    const events = eviction();
    const sut = track(new DataKeyService(store, keyRing, events.bus, config));
    await sut.getOrCreate(U.u4);
    expect(await sut.shredUser(U.u4)).toBe(true);
    expect(rows.has(U.u4)).toBe(false);
    expect(events.published).toEqual([U.u4]);
    expect(await sut.find(U.u4)).toBeNull();
    expect(await sut.shredUser(U.u4)).toBe(false);
  });

  it('drops a cached key when another instance announces a shred', async () => {
    const { store, rows } = memoryStore();
    const events = eviction();
    const sut = track(new DataKeyService(store, keyRing, events.bus, config));
    await sut.getOrCreate(U.u5);
    rows.delete(U.u5);
    expect(await sut.find(U.u5)).not.toBeNull();
    events.deliver(U.u5);
    expect(await sut.find(U.u5)).toBeNull();
  });

  it('treats upper- and lower-case spellings of a user id as one user, and refuses ids that are not uuids', async () => {
    const { store, rows } = memoryStore();
    const events = eviction();
    const sut = track(new DataKeyService(store, keyRing, events.bus, config));
    const upper = U.u6.toUpperCase();
    const created = await sut.getOrCreate(upper);
    expect([...rows.keys()]).toEqual([U.u6]);
    expect((await track(new DataKeyService(store, keyRing, eviction().bus, config)).find(U.u6))?.id).toBe(created.id);
    await sut.shredUser(upper);
    expect(events.published).toEqual([U.u6]);
    expect(await sut.find(U.u6)).toBeNull();
    await expect(sut.getOrCreate('not-a-uuid')).rejects.toThrow(TypeError);
  });

  it('does not cache a key read while a shred was under way, and forgets everything on a reconnect', async () => {
    const { store, rows } = memoryStore();
    const events = eviction();
    const sut = track(new DataKeyService(store, keyRing, events.bus, config));
    await track(new DataKeyService(store, keyRing, eviction().bus, config)).getOrCreate(U.u7);
    const loading = sut.find(U.u7);
    events.deliver(U.u7); // the shred announcement overtakes the read
    rows.delete(U.u7);
    expect(await loading).not.toBeNull();
    expect(await sut.find(U.u7)).toBeNull();

    await sut.getOrCreate(U.u1);
    rows.delete(U.u1);
    events.reset();
    expect(await sut.find(U.u1)).toBeNull();
  });
});
