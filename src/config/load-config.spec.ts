import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, loadConfig } from './load-config';

const KEY_HEX = 'a'.repeat(64);
const SECRET = 'x'.repeat(40);

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigValidationError) return e.problems;
    throw e;
  }
  return [];
}

describe(loadConfig.name, () => {
  let dataDir: string;
  /** The least a development environment needs, in this test's own DATA_DIR. */
  let base: { DATA_DIR: string; JWT_SECRET: string; ENCRYPTION_KEY: string };
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cfg-'));
    base = { DATA_DIR: dataDir, JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY_HEX };
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('applies defaults and types values', () => {
    const sut = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY_HEX, PORT: '4000' });
    expect(sut.http.port).toBe(4000);
    expect(sut.http.trustProxy).toBe(false);
    expect(sut.throttle).toEqual({ limit: 1000, ttlSeconds: 60 });
    expect(sut.log.format).toBe('pretty');
    expect(sut.crypto.keys).toHaveLength(1);
    expect(sut.crypto.currentKeyId).toBe('k1');
  });

  it('reads TRUST_PROXY as false, a hop count or proxy addresses, and refuses trusting every hop', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.10,loopback,fd00::/8' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.10',
      'loopback',
      'fd00::/8',
    ]);
    for (const value of ['true', 'TRUE', 'yes']) {
      expect(problemsOf({ ...base, TRUST_PROXY: value })).toEqual([
        expect.stringMatching(/^TRUST_PROXY=.* is no longer accepted.*number of proxies.*\(1-10\).*addresses or CIDRs/),
      ]);
    }
    expect(problemsOf({ ...base, TRUST_PROXY: '11' })).toEqual([
      expect.stringMatching(/^TRUST_PROXY .*hop count above 10/),
    ]);
    expect(problemsOf({ ...base, TRUST_PROXY: '10.0.0.1,0.0.0.0/0,10.0.0.0/33,proxy.internal' })).toEqual([
      expect.stringMatching(/^TRUST_PROXY .*"0\.0\.0\.0\/0", "10\.0\.0\.0\/33", "proxy\.internal"$/),
    ]);
  });

  it('reads the credential-check settings with their defaults, and refuses a per-client limit below the per-address one', () => {
    expect(loadConfig(base).auth).toMatchObject({
      maxFailedAttempts: 5,
      failedWindowSeconds: 900,
      maxFailedAttemptsPerClient: 20,
      verifyConcurrency: 2,
      verifyQueue: 8,
    });
    expect(loadConfig({ ...base, AUTH_MAX_FAILED_ATTEMPTS: '10' }).auth.maxFailedAttemptsPerClient).toBe(40);
    expect(
      loadConfig({
        ...base,
        AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT: '7',
        AUTH_VERIFY_CONCURRENCY: '4',
        AUTH_VERIFY_QUEUE: '0',
      }).auth,
    ).toMatchObject({
      maxFailedAttemptsPerClient: 7,
      verifyConcurrency: 4,
      verifyQueue: 0,
    });
    expect(problemsOf({ ...base, AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT: '4' })).toEqual([
      'AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT must be at least AUTH_MAX_FAILED_ATTEMPTS',
    ]);
    expect(problemsOf({ ...base, AUTH_VERIFY_CONCURRENCY: '0', AUTH_VERIFY_QUEUE: '1001' })).toHaveLength(2);
  });

  it('lists every problem in one error', () => {
    const problems = problemsOf({
      DATA_DIR: dataDir,
      JWT_SECRET: SECRET,
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      ENCRYPTION_KEY: 'short',
      REDIS_URL: 'http://x',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL/);
    expect(problems.join('\n')).toMatch(/ENCRYPTION_KEY must be exactly 32 bytes/);
    expect(problems.join('\n')).toMatch(/REDIS_URL/);
  });

  it('never echoes key material in a problem', () => {
    const problems = problemsOf({ DATA_DIR: dataDir, JWT_SECRET: SECRET, ENCRYPTION_KEYS: 'k1:notakeyvalue123' });
    expect(problems.join('\n')).not.toContain('notakeyvalue123');
  });

  it('in production refuses a missing database, a short secret and missing keys', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DATA_DIR: dataDir, JWT_SECRET: 'short' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/DATABASE_URL is required/),
        expect.stringMatching(/JWT_SECRET must be at least 32 bytes/),
        expect.stringMatching(/ENCRYPTION_KEY or ENCRYPTION_KEYS is required/),
      ]),
    );
  });

  it('in production refuses keys generated for development', () => {
    const dev = loadConfig({ DATA_DIR: dataDir }, { generateDevSecrets: true });
    const devKeyHex = dev.crypto.keys[0].key.toString('hex');
    const problems = problemsOf({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://db/x',
      JWT_SECRET: dev.auth.jwtSecret,
      ENCRYPTION_KEY: devKeyHex,
    });
    expect(problems).toEqual([
      expect.stringMatching(/JWT_SECRET is a development or example value/),
      expect.stringMatching(/ENCRYPTION_KEY\(S\) contains a development or example key/),
    ]);
  });

  it('accepts a complete production environment', () => {
    const sut = loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://db/x',
      JWT_SECRET: SECRET,
      ENCRYPTION_KEY: KEY_HEX,
    });
    expect(sut.isProduction).toBe(true);
    expect(sut.log.format).toBe('json');
  });

  it('generates development secrets once into DATA_DIR with mode 0600', () => {
    const first = loadConfig({ DATA_DIR: dataDir }, { generateDevSecrets: true });
    const second = loadConfig({ DATA_DIR: dataDir }, { generateDevSecrets: true });
    expect(first.generatedSecrets).toEqual(['JWT_SECRET', 'ENCRYPTION_KEY']);
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    const file = join(dataDir, 'dev-secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).JWT_SECRET).toBe(first.auth.jwtSecret);
  });

  it('parses a versioned key set and picks the named current key', () => {
    const b64 = Buffer.alloc(32, 7).toString('base64');
    const sut = loadConfig({
      DATA_DIR: dataDir,
      JWT_SECRET: SECRET,
      ENCRYPTION_KEYS: `old:${KEY_HEX},new:${b64}`,
      ENCRYPTION_KEY_ID: 'new',
    });
    expect(sut.crypto.keys.map((k) => k.id)).toEqual(['old', 'new']);
    expect(sut.crypto.currentKeyId).toBe('new');
  });

  it('refuses a current key id that is not configured, and duplicate ids', () => {
    expect(
      problemsOf({
        DATA_DIR: dataDir,
        JWT_SECRET: SECRET,
        ENCRYPTION_KEYS: `a:${KEY_HEX},a:${KEY_HEX}`,
        ENCRYPTION_KEY_ID: 'zz',
      }),
    ).toEqual([expect.stringMatching(/appears twice/), expect.stringMatching(/ENCRYPTION_KEY_ID names zz/)]);
  });

  it('reads the blind-index key and the data-key cache settings, with a shorter cache TTL without Redis', () => {
    const sut = loadConfig({ ...base, BLIND_INDEX_KEY: 'b'.repeat(64), DATA_KEY_CACHE_SIZE: '50' });
    expect(sut.crypto.blindIndexKey).toEqual(Buffer.from('b'.repeat(64), 'hex'));
    expect(sut.crypto.dataKeyCacheSize).toBe(50);
    expect(sut.crypto.dataKeyCacheTtlSeconds).toBe(30);
    expect(sut.crypto.rotationBatchSize).toBe(500);
    expect(loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' }).crypto.dataKeyCacheTtlSeconds).toBe(300);
    expect(loadConfig({ ...base, DATA_KEY_CACHE_TTL_SECONDS: '5' }).crypto.dataKeyCacheTtlSeconds).toBe(5);
    expect(loadConfig(base).crypto.blindIndexKey).toBeUndefined();
  });

  it('reads the consent settings, with a 1 s lifetime of cached refusals without Redis, and refuses values out of bounds', () => {
    expect(loadConfig(base).consent).toEqual({
      cacheSize: 100_000,
      cacheTtlSeconds: 60,
      refusalCacheTtlSeconds: 1,
      withdrawalAction: 'delete',
    });
    expect(
      loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379', CONSENT_WITHDRAWAL_ACTION: 'exclude' }).consent,
    ).toEqual({
      cacheSize: 100_000,
      cacheTtlSeconds: 60,
      refusalCacheTtlSeconds: 60,
      withdrawalAction: 'exclude',
    });
    const problems = problemsOf({
      ...base,
      CONSENT_CACHE_SIZE: '0',
      CONSENT_CACHE_TTL_SECONDS: '3601',
      CONSENT_WITHDRAWAL_ACTION: 'archive',
    });
    expect(problems).toHaveLength(3);
  });

  it('reads the learning and metrics settings with their defaults, and refuses values out of bounds', () => {
    const defaults = loadConfig(base);
    expect(defaults.learning).toEqual({
      retentionDays: 90,
      batchMaxEvents: 1000,
      batchBodyLimitBytes: 16 * 1024 * 1024,
      userQuota: { events: 10_000, bytes: 32 * 1024 * 1024, windowSeconds: 3600 },
    });
    expect(defaults.metrics).toEqual({ token: undefined, suspiciousDenials: 20 });
    expect(defaults.monitor).toEqual({ windowSeconds: 60, p95Ms: 1000, errorRate: 0.05, eventLoopLagMs: 200 });
    expect(
      loadConfig({
        ...base,
        SECURITY_SUSPICIOUS_DENIALS: '5',
        MONITOR_WINDOW_SECONDS: '300',
        MONITOR_P95_MS: '250',
        MONITOR_ERROR_RATE: '0.01',
        MONITOR_EVENT_LOOP_LAG_MS: '50',
      }),
    ).toMatchObject({
      metrics: { suspiciousDenials: 5 },
      monitor: { windowSeconds: 300, p95Ms: 250, errorRate: 0.01, eventLoopLagMs: 50 },
    });
    expect(
      problemsOf({
        ...base,
        SECURITY_SUSPICIOUS_DENIALS: '1',
        MONITOR_WINDOW_SECONDS: '9',
        MONITOR_P95_MS: '60001',
        MONITOR_ERROR_RATE: '0',
        MONITOR_EVENT_LOOP_LAG_MS: 'x',
      }),
    ).toHaveLength(5);
    const set = loadConfig({
      ...base,
      DATA_RETENTION_DAYS: '30',
      LEARNING_BATCH_MAX_EVENTS: '200',
      LEARNING_BATCH_BODY_LIMIT_BYTES: '4096',
      LEARNING_USER_QUOTA_EVENTS: '50',
      LEARNING_USER_QUOTA_BYTES: '65536',
      LEARNING_USER_QUOTA_WINDOW_SECONDS: '60',
      METRICS_TOKEN: 'a-metrics-token-of-length',
    });
    expect(set.learning).toEqual({
      retentionDays: 30,
      batchMaxEvents: 200,
      batchBodyLimitBytes: 4096,
      userQuota: { events: 50, bytes: 65536, windowSeconds: 60 },
    });
    expect(set.metrics.token).toBe('a-metrics-token-of-length');
    const problems = problemsOf({
      ...base,
      DATA_RETENTION_DAYS: '0',
      LEARNING_BATCH_MAX_EVENTS: '10001',
      LEARNING_BATCH_BODY_LIMIT_BYTES: '10',
      LEARNING_USER_QUOTA_EVENTS: '0',
      LEARNING_USER_QUOTA_BYTES: '1024',
      LEARNING_USER_QUOTA_WINDOW_SECONDS: '86401',
      METRICS_TOKEN: 'short',
    });
    expect(problems).toHaveLength(7);
  });

  it.each([
    {
      section: 'cache',
      defaults: { ttlSeconds: 60, memoryMaxEntries: 10_000 },
      set: { CACHE_TTL_SECONDS: '120' },
      read: { ttlSeconds: 120 },
      outOfBounds: { CACHE_TTL_SECONDS: '0', CACHE_MEMORY_MAX_ENTRIES: '5' },
    },
    {
      section: 'patterns',
      defaults: {
        minUserSupport: 5,
        maxSequenceLength: 4,
        maxSequenceGap: 2,
        gappedMinShare: 0.01,
        maxOccurrencesPerUser: 10,
        windowDays: 90,
        workMemMb: 256,
        concurrency: 2,
        cron: '0 * * * *',
      },
      set: { MINING_WINDOW_DAYS: '7', PATTERNS_CRON: '*/30 * * * * *' },
      read: { windowDays: 7, cron: '*/30 * * * * *' },
      outOfBounds: {
        MIN_USER_SUPPORT: '1',
        MAX_SEQUENCE_LENGTH: '7',
        MAX_SEQUENCE_GAP: '6',
        MINING_GAPPED_MIN_SHARE: '1.5',
        MINING_MAX_OCCURRENCES_PER_USER: '0',
        MINING_WINDOW_DAYS: '0',
        MINING_WORK_MEM_MB: '5000',
        MINING_CONCURRENCY: '0',
        PATTERNS_CRON: 'every hour',
      },
    },
    {
      section: 'insights',
      defaults: {
        periodDays: 7,
        baselineDays: 28,
        alpha: 0.01,
        anomalyZ: 3.5,
        frictionRate: 0.2,
        minConfidence: 0.5,
        dpEpsilon: null,
      },
      set: { INSIGHTS_PERIOD_DAYS: '14', INSIGHTS_DP_EPSILON: '0.5' },
      read: { periodDays: 14, dpEpsilon: 0.5 },
      outOfBounds: {
        INSIGHTS_PERIOD_DAYS: '0',
        INSIGHTS_BASELINE_DAYS: '3',
        INSIGHTS_ALPHA: '0.9',
        INSIGHTS_ANOMALY_Z: '0',
        INSIGHTS_FRICTION_RATE: '2',
        INSIGHTS_MIN_CONFIDENCE: '1',
        INSIGHTS_DP_EPSILON: '0',
      },
    },
    {
      section: 'retention',
      defaults: { patternDays: 180, insightDays: 365, auditDays: 730, runDays: 365, cron: '0 2 * * *' },
      set: { RETENTION_CRON: 'off', AUDIT_RETENTION_DAYS: '3650' },
      read: { cron: null, auditDays: 3650 },
      outOfBounds: {
        PATTERN_RETENTION_DAYS: '0',
        INSIGHT_RETENTION_DAYS: '3651',
        AUDIT_RETENTION_DAYS: 'x',
        RUN_RETENTION_DAYS: '0',
        RETENTION_CRON: 'daily',
      },
    },
  ] as const)(
    'reads the $section settings with their defaults, and refuses each one out of bounds',
    ({ section, defaults, set, read, outOfBounds }) => {
      expect(loadConfig(base)[section]).toEqual(defaults);
      expect(loadConfig({ ...base, ...set })[section]).toMatchObject(read);
      expect(problemsOf({ ...base, ...outOfBounds })).toHaveLength(Object.keys(outOfBounds).length);
    },
  );

  it('reads how long a run waits for the replica (REPLICA_MAX_LAG_SECONDS, 0-3600, default 30)', () => {
    expect(loadConfig(base).database.replicaMaxLagSeconds).toBe(30);
    expect(loadConfig({ ...base, REPLICA_MAX_LAG_SECONDS: '0' }).database.replicaMaxLagSeconds).toBe(0);
    for (const value of ['-1', '3601', 'soon'])
      expect(problemsOf({ ...base, REPLICA_MAX_LAG_SECONDS: value })).toEqual([
        expect.stringContaining('REPLICA_MAX_LAG_SECONDS'),
      ]);
  });

  it('reads every pattern-mining setting, bounds the window by the data retention, and names a bad schedule', () => {
    const set = loadConfig({
      ...base,
      DATA_RETENTION_DAYS: '30',
      MIN_USER_SUPPORT: '2',
      MAX_SEQUENCE_LENGTH: '6',
      MAX_SEQUENCE_GAP: '0',
      MINING_GAPPED_MIN_SHARE: '0.25',
      MINING_MAX_OCCURRENCES_PER_USER: '1',
      PATTERNS_CRON: 'off',
    });
    expect(set.patterns).toEqual({
      minUserSupport: 2,
      maxSequenceLength: 6,
      maxSequenceGap: 0,
      gappedMinShare: 0.25,
      maxOccurrencesPerUser: 1,
      windowDays: 30,
      workMemMb: 256,
      concurrency: 2,
      cron: null,
    });
    expect(problemsOf({ ...base, PATTERNS_CRON: 'every hour' })).toEqual([
      expect.stringMatching(/^PATTERNS_CRON.*cron expression/),
    ]);
  });

  it('refuses a DP run that the budget could never pay, and a provider without issuer and audience', () => {
    expect(problemsOf({ ...base, DP_EPSILON: '5', PRIVACY_BUDGET_EPSILON: '4' })).toEqual([
      expect.stringMatching(/^DP_EPSILON must be at most PRIVACY_BUDGET_EPSILON/),
    ]);
    expect(problemsOf({ ...base, DP_EPSILON: '1', DP_DELTA: '0.001', PRIVACY_BUDGET_DELTA: '0.0001' })).toEqual([
      expect.stringMatching(/^DP_DELTA must be at most PRIVACY_BUDGET_DELTA/),
    ]);
    expect(
      problemsOf({ ...base, AUTH_JWKS_URL: 'https://idp.test/jwks', AUTH_JWT_ISSUER: 'https://idp.test/' }),
    ).toEqual([expect.stringMatching(/^AUTH_JWKS_URL needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE/)]);
    const oidc = loadConfig({
      ...base,
      AUTH_JWKS_URL: 'https://idp.test/jwks',
      AUTH_JWT_ISSUER: 'https://idp.test/',
      AUTH_JWT_AUDIENCE: 'api',
      DP_EPSILON: '1',
    });
    expect(oidc.auth.oidc).toEqual({
      jwksUrl: 'https://idp.test/jwks',
      issuer: 'https://idp.test/',
      audience: 'api',
      cooldownSeconds: 30,
    });
    expect(oidc.privacy).toMatchObject({ dpEpsilon: 1, maxPatternsPerUser: 5, budgetEpsilon: 10, budgetDays: 30 });
  });

  it('refuses an insight period or baseline longer than the data retention allows', () => {
    const keptFor30Days = { ...base, DATA_RETENTION_DAYS: '30' };
    expect(problemsOf({ ...keptFor30Days, INSIGHTS_PERIOD_DAYS: '16', INSIGHTS_BASELINE_DAYS: '30' })).toEqual([
      expect.stringMatching(/^INSIGHTS_PERIOD_DAYS must be at most half/),
      expect.stringMatching(/^INSIGHTS_BASELINE_DAYS must be below/),
    ]);
    expect(problemsOf({ ...keptFor30Days, INSIGHTS_PERIOD_DAYS: '15', INSIGHTS_BASELINE_DAYS: '29' })).toEqual([]);
  });

  it('refuses a blind-index key that is not 32 bytes and out-of-range cache and batch settings', () => {
    const problems = problemsOf({
      DATA_DIR: dataDir,
      JWT_SECRET: SECRET,
      ENCRYPTION_KEY: KEY_HEX,
      BLIND_INDEX_KEY: 'abcd',
      DATA_KEY_CACHE_SIZE: '0',
      DATA_KEY_CACHE_TTL_SECONDS: '999999',
      KEY_ROTATION_BATCH_SIZE: '100000',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/BLIND_INDEX_KEY must be exactly 32 bytes/);
    expect(problems.join('\n')).not.toContain('abcd');
  });
});
