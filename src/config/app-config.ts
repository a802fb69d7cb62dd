import type { KeyEncryptionKey } from './encryption-keys';
import type { TrustProxy } from './trust-proxy';

/** The validated, typed settings. Built once at boot by `loadConfig`; injected wherever settings are read. */
export class AppConfig {
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    corsOrigins: string[];
    /** Fastify's `trustProxy`: false, the number of proxies in front, or their addresses/CIDRs (never every hop). */
    trustProxy: TrustProxy;
    docsEnabled: boolean;
    shutdownTimeoutMs: number;
  };
  database: {
    url?: string;
    replicaUrl?: string;
    /** A run reads the replica once it has replayed what the primary had when the run started, waiting this long at most. */
    replicaMaxLagSeconds: number;
    poolMax: number;
    migrateOnBoot: boolean;
  };
  dataDir: string;
  redis: { url?: string };
  auth: {
    jwtSecret: string;
    accessTokenTtlSeconds: number;
    /** Failed attempts per (address, client id) in a window, then that pair is refused until the window ends. */
    maxFailedAttempts: number;
    failedWindowSeconds: number;
    /** Failed attempts per client id from all addresses in a window, then the client is refused everywhere. */
    maxFailedAttemptsPerClient: number;
    /** Secret verifications (scrypt) running at once in this process. */
    verifyConcurrency: number;
    /** Verifications that may wait for a slot; beyond them a token request is answered 503 at once. */
    verifyQueue: number;
    /** An OpenID Connect provider whose RS256/ES256 tokens are accepted too (null: HS256 tokens only). */
    oidc: { jwksUrl: string; issuer: string; audience: string; cooldownSeconds: number } | null;
    /** Where a provider's tokens carry the roles: a claim name or a dotted path. */
    rolesClaim: string;
  };
  crypto: {
    /** Key-encryption keys; `currentKeyId` wraps every new data key. */
    keys: KeyEncryptionKey[];
    currentKeyId: string;
    /** Root of the blind-index keys when configured; otherwise a generated one is kept wrapped in the database. */
    blindIndexKey?: Buffer;
    dataKeyCacheSize: number;
    dataKeyCacheTtlSeconds: number;
    rotationBatchSize: number;
  };
  consent: {
    cacheSize: number;
    /** Lifetime of a cached consent. */
    cacheTtlSeconds: number;
    /** Lifetime of a cached refusal: 1 s without Redis, so grants elsewhere show within 1 s. */
    refusalCacheTtlSeconds: number;
    /** What withdrawing consent does to stored events: delete them, or keep them out of mining. */
    withdrawalAction: 'delete' | 'exclude';
  };
  learning: {
    /** Raw events older than this are refused at ingestion and purged by retention. */
    retentionDays: number;
    batchMaxEvents: number;
    /** Body limit of POST /learning/events/batch (the other routes keep BODY_LIMIT_BYTES). */
    batchBodyLimitBytes: number;
    /** What one user's events may add per window: events and bytes of `data` (fixed windows, shared through Redis). */
    userQuota: { events: number; bytes: number; windowSeconds: number };
  };
  /** The two-tier read cache (memory, then Redis when configured). */
  cache: { ttlSeconds: number; memoryMaxEntries: number };
  patterns: {
    /** k: nothing is published that fewer distinct users support (k-anonymity). */
    minUserSupport: number;
    /** Longest action sequence the sequence miner counts (2..6). */
    maxSequenceLength: number;
    /** Other actions allowed between two actions of a gapped sequence (0 turns the gapped miner off). */
    maxSequenceGap: number;
    /** Share of a module's users (0..1) a gapped sequence needs, besides k. */
    gappedMinShare: number;
    /** Occurrences of one sequence counted per user (caps a heavy user's weight in confidences). */
    maxOccurrencesPerUser: number;
    /** Miners read events of the last this many days. */
    windowDays: number;
    /** PostgreSQL `work_mem` of the mining connection during a run (its aggregations stay in memory). */
    workMemMb: number;
    /** Miners running at once in a run, each on its own pooled connection. */
    concurrency: number;
    /** Schedule of mining runs; null when scheduled runs are off. */
    cron: string | null;
  };
  /** How long each data class is kept (raw events: learning.retentionDays), and when the purge runs. */
  retention: {
    /** Patterns no run has found for this many days are purged. */
    patternDays: number;
    /** Insights last generated this many days ago are purged (expired ones at once). */
    insightDays: number;
    auditDays: number;
    /** Mining, insight and retention run histories. */
    runDays: number;
    /** Schedule of purges; null when scheduled purges are off. */
    cron: string | null;
  };
  /** User-level differential privacy and its budget (docs/privacy.md). */
  privacy: {
    /** Null: threshold mode (k users and the small-cell gate). Set: the ε each mining run spends. */
    dpEpsilon: number | null;
    dpDelta: number;
    /** L: the most patterns of one miner a user's data may add to in a run. */
    maxPatternsPerUser: number;
    /** The total (ε, δ) all runs of any rolling `budgetDays` may spend. */
    budgetEpsilon: number;
    budgetDelta: number;
    budgetDays: number;
  };
  insights: {
    /** The period insights describe (the last this many days), compared with the same span before. */
    periodDays: number;
    /** Days of baseline an anomaly is measured against. */
    baselineDays: number;
    /** A change, friction point or recommendation is published when its test's p-value is below this. */
    alpha: number;
    /** |robust z| from which a day is an anomaly. */
    anomalyZ: number;
    /** The Wilson lower bound of an action's troubled share that makes it a friction point. */
    frictionRate: number;
    /** The share of next actions above which a "suggest B after A" recommendation is tested. */
    minConfidence: number;
    /** Epsilon of the Laplace noise on published counts; null when counts are exact. */
    dpEpsilon: number | null;
  };
  metrics: {
    /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
    token?: string;
    /** 401/403 answers to one address within a minute from which it counts as suspicious activity. */
    suspiciousDenials: number;
  };
  /** The performance monitor behind GET /health: its sliding window and the limits of a healthy instance. */
  monitor: {
    windowSeconds: number;
    /** p95 response time above this is degraded; above 5 times this, unhealthy. */
    p95Ms: number;
    /** Share of 5xx answers above this is degraded; above 5 times this (at most 1), unhealthy. */
    errorRate: number;
    /** Event-loop delay (p99) above this is degraded; above 5 times this, unhealthy. */
    eventLoopLagMs: number;
  };
  throttle: { limit: number; ttlSeconds: number };
  log: { level: string; format: 'json' | 'pretty' };
  health: { heapLimitBytes: number; diskThreshold: number; diskPath: string };
  /** Settings that were generated into DATA_DIR because the environment lacked them (development only). */
  generatedSecrets: string[];

  get isProduction(): boolean {
    return this.env === 'production';
  }
}
