/**
 * The modes a multi-instance test runs in: always without Redis (each instance on its own), and with the shared
 * Redis when REDIS_URL is set. For `describe.each`; `$mode` names the mode in the suite title.
 */
export function redisModes(shared: string): { mode: string; redisUrl: string }[] {
  const url = process.env.REDIS_URL;
  return [{ mode: 'without Redis', redisUrl: '' }, ...(url ? [{ mode: shared, redisUrl: url }] : [])];
}
