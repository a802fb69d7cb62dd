/**
 * Writers of a user's learning data and changes of that user's consent exclude each other through transaction
 * advisory locks on 64 buckets of users (memory-only locks: no row is written, unlike `FOR SHARE`). A batch
 * takes its users' buckets in shared mode before it reads consent; a consent change or an erasure takes the
 * user's bucket exclusively first, so it waits for batches already being written and later batches see it.
 */
export const CONSENT_LOCK_NAMESPACE = 0x636f; // "co"
export const CONSENT_LOCK_BUCKETS = 64;

/** The bucket of a canonical (lower-case) user id: its last two hex digits are random bits of the uuid. */
export function consentBucket(userId: string): number {
  return parseInt(userId.slice(-2), 16) % CONSENT_LOCK_BUCKETS;
}

/** Distinct buckets of these users, ascending. */
export function consentBuckets(userIds: Iterable<string>): number[] {
  return [...new Set([...userIds].map(consentBucket))].sort((a, b) => a - b);
}

/** SQL taking the buckets `$1::int[]` in shared mode (writers of learning data). */
export const LOCK_BUCKETS_SHARED = `SELECT count(pg_advisory_xact_lock_shared(${CONSENT_LOCK_NAMESPACE}, b)) FROM unnest($1::int[]) AS b`;

/** SQL taking one user's bucket `$1` exclusively (consent changes, erasure). */
export const LOCK_BUCKET_EXCLUSIVE = `SELECT pg_advisory_xact_lock(${CONSENT_LOCK_NAMESPACE}, $1::int)`;
