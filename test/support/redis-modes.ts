import Redis from 'ioredis';

/**
 * The modes a multi-instance test runs in: always without Redis (each instance on its own), and with the shared
 * Redis when REDIS_URL is set. For `describe.each`; `$mode` names the mode in the suite title.
 */
export function redisModes(shared: string): { mode: string; redisUrl: string }[] {
  const url = process.env.REDIS_URL;
  return [{ mode: 'without Redis', redisUrl: '' }, ...(url ? [{ mode: shared, redisUrl: url }] : [])];
}

/**
 * Logical database `db` of the Redis at `url`, emptied: for a suite whose rate limits must not count other suites'
 * requests (a limit's key is route and client address, and every test client is 127.0.0.1). Answers the URL that
 * selects it on `url`'s server, or on `via` (e.g. a proxy in front of it).
 */
export async function emptyRedisDatabase(url: string, db: number, via = url): Promise<string> {
  const client = new Redis(url, { db, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.flushdb();
  } finally {
    client.disconnect();
  }
  const selected = new URL(via);
  selected.pathname = `/${db}`;
  return selected.toString();
}
