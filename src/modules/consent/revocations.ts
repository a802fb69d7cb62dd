/**
 * One row, `at`: when consent was last taken away from anything already counted — the latest withdrawal or
 * erasure of any user (null when there was none). A mining run whose miner failed retires that miner's patterns
 * last counted before it, since their support can no longer be vouched for.
 */
export const LAST_REVOCATION_SQL = `SELECT greatest(
    (SELECT max(recorded_at) FROM consent_records WHERE NOT granted),
    (SELECT max(erased_at) FROM privacy_erasures)) AS at`;
