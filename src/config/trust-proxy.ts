import { isIP } from 'node:net';

/** What Fastify's `trustProxy` is given: no trust, the number of proxies in front, or the proxies' addresses. */
export type TrustProxy = false | number | string[];

const MAX_HOPS = 10;
/** proxy-addr's names for the loopback, link-local and private (unique local) ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const FORMS =
  'false, the number of proxies in front of the service (1-10), or a comma-separated list of their addresses or CIDRs (e.g. 10.0.0.0/8,192.168.1.10)';

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry) || isIP(entry) !== 0) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (rest.length > 0 || family === 0 || !/^\d{1,3}$/.test(prefix ?? '')) return false;
  // A /0 range would trust every address again.
  return Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Reads `TRUST_PROXY`. Trusting every hop is refused: anyone could then choose the address that rate limits,
 * lockouts and the audit log see by sending their own X-Forwarded-For.
 */
export function parseTrustProxy(raw: string): { value: TrustProxy; problem?: string } {
  const v = raw.trim().toLowerCase();
  if (['false', 'off', 'no', '0', ''].includes(v)) return { value: false };
  if (['true', 'on', 'yes'].includes(v)) {
    return {
      value: false,
      problem: `TRUST_PROXY=${raw.trim()} (trust every X-Forwarded-For hop) is no longer accepted, as it lets a client pick its own address; set ${FORMS}`,
    };
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= MAX_HOPS
      ? { value: hops }
      : { value: false, problem: `TRUST_PROXY must be ${FORMS}; a hop count above ${MAX_HOPS} is refused` };
  }
  const entries = v.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isProxyAddress(e));
  if (bad.length > 0) {
    const shown = bad.map((e) => JSON.stringify(e.slice(0, 50))).join(', ');
    return {
      value: false,
      problem: `TRUST_PROXY must be ${FORMS}, or loopback/linklocal/uniquelocal; not an address or CIDR: ${shown}`,
    };
  }
  return { value: entries };
}

/**
 * The setting as Fastify's option. Fastify refuses a bare hop count (it trusts no hop then), so a count becomes a
 * function trusting the first `hops` addresses counted from the socket: the proxies in front, whoever they are.
 */
export function fastifyTrustProxy(value: TrustProxy): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value !== 'number') return value;
  return (_address, hop) => hop < value;
}
