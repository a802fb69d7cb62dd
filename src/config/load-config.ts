import { plainToInstance } from 'class-transformer';
import { validateCronExpression } from 'cron';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
import { existsSync } from 'node:fs';
import { AppConfig } from './app-config';
import { readDevSecrets, readOrCreateDevSecrets } from './dev-secrets';
import { decodeKey, parseEncryptionKeys } from './encryption-keys';
import { EnvironmentVariables } from './env.schema';
import { parseTrustProxy } from './trust-proxy';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigValidationError';
  }
}

export interface LoadConfigOptions {
  /** Generate missing development secrets into DATA_DIR (the app does; `validate:env` only reports). */
  generateDevSecrets?: boolean;
}

/** Placeholder values shipped in `.env.example`; production refuses them like any development key. */
const PLACEHOLDERS = new Set([
  'change-me-to-at-least-32-random-bytes-of-secret',
  '0000000000000000000000000000000000000000000000000000000000000000',
]);
const MIN_JWT_SECRET_BYTES = 32;

function knownKeys(): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(EnvironmentVariables, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((msg) => (msg.startsWith(e.property) ? msg : `${e.property}: ${msg}`)),
  );
}

/** The settings this process reads: `.env` in the working directory (if any) under the real environment. */
export function readEnvironment(): NodeJS.ProcessEnv {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return { ...process.env };
}

/**
 * Validates the environment against `EnvironmentVariables` plus the rules that span settings, and builds the
 * typed `AppConfig`. Every problem is collected, so one message lists them all.
 */
export function loadConfig(rawEnv: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): AppConfig {
  const picked: Record<string, string> = {};
  for (const key of knownKeys()) {
    const value = rawEnv[key];
    if (value !== undefined && value.trim() !== '') picked[key] = value.trim();
  }
  const env = plainToInstance(EnvironmentVariables, picked);
  const problems = flatten(validateSync(env, { forbidUnknownValues: true, stopAtFirstError: true }));
  const production = env.NODE_ENV === 'production';
  const generated: string[] = [];

  if (!production && (!env.JWT_SECRET || (!env.ENCRYPTION_KEY && !env.ENCRYPTION_KEYS))) {
    const dev = options.generateDevSecrets ? readOrCreateDevSecrets(env.DATA_DIR) : readDevSecrets(env.DATA_DIR);
    if (!env.JWT_SECRET) {
      env.JWT_SECRET = dev?.JWT_SECRET;
      generated.push('JWT_SECRET');
    }
    if (!env.ENCRYPTION_KEY && !env.ENCRYPTION_KEYS) {
      env.ENCRYPTION_KEY = dev?.ENCRYPTION_KEY;
      generated.push('ENCRYPTION_KEY');
    }
  }

  const jwtBytes = env.JWT_SECRET ? Buffer.byteLength(env.JWT_SECRET, 'utf8') : 0;
  const keys = parseEncryptionKeys(env.ENCRYPTION_KEY, env.ENCRYPTION_KEYS, env.ENCRYPTION_KEY_ID);
  if (env.ENCRYPTION_KEY || env.ENCRYPTION_KEYS) problems.push(...keys.problems);
  const blindIndexKey = env.BLIND_INDEX_KEY ? decodeKey(env.BLIND_INDEX_KEY) : null;
  if (env.BLIND_INDEX_KEY && !blindIndexKey)
    problems.push('BLIND_INDEX_KEY must be exactly 32 bytes, as 64 hex characters or base64');

  // Insights compare periods and baselines that must still be held (older events are purged).
  const retentionValid = !problems.some((p) => p.startsWith('DATA_RETENTION_DAYS'));
  if (
    retentionValid &&
    typeof env.INSIGHTS_PERIOD_DAYS === 'number' &&
    2 * env.INSIGHTS_PERIOD_DAYS > env.DATA_RETENTION_DAYS
  ) {
    problems.push(
      'INSIGHTS_PERIOD_DAYS must be at most half of DATA_RETENTION_DAYS (a trend compares two periods of events still held)',
    );
  }
  if (
    retentionValid &&
    typeof env.INSIGHTS_BASELINE_DAYS === 'number' &&
    env.INSIGHTS_BASELINE_DAYS + 1 > env.DATA_RETENTION_DAYS
  ) {
    problems.push(
      'INSIGHTS_BASELINE_DAYS must be below DATA_RETENTION_DAYS (the baseline and the last day are events still held)',
    );
  }
  if (env.RETENTION_CRON !== 'off' && !validateCronExpression(env.RETENTION_CRON).valid) {
    problems.push('RETENTION_CRON must be a cron expression (5 or 6 fields, e.g. "0 2 * * *") or off');
  }
  if (env.PATTERNS_CRON !== 'off' && !validateCronExpression(env.PATTERNS_CRON).valid) {
    problems.push('PATTERNS_CRON must be a cron expression (5 or 6 fields, e.g. "0 * * * *") or off');
  }
  const trustProxy = parseTrustProxy(env.TRUST_PROXY);
  if (env.DP_EPSILON !== undefined && env.DP_EPSILON > env.PRIVACY_BUDGET_EPSILON)
    problems.push('DP_EPSILON must be at most PRIVACY_BUDGET_EPSILON (a run could never spend it)');
  if (env.DP_EPSILON !== undefined && env.DP_DELTA > env.PRIVACY_BUDGET_DELTA)
    problems.push('DP_DELTA must be at most PRIVACY_BUDGET_DELTA (a run could never spend it)');
  if (env.AUTH_JWKS_URL && (!env.AUTH_JWT_ISSUER || !env.AUTH_JWT_AUDIENCE))
    problems.push(
      'AUTH_JWKS_URL needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE (a provider token is checked against both)',
    );
  if (trustProxy.problem && !problems.some((p) => p.startsWith('TRUST_PROXY'))) problems.push(trustProxy.problem);
  // A per-client limit below the per-address one would make the per-address limit unreachable.
  if (
    typeof env.AUTH_MAX_FAILED_ATTEMPTS === 'number' &&
    typeof env.AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT === 'number' &&
    env.AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT < env.AUTH_MAX_FAILED_ATTEMPTS
  ) {
    problems.push('AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT must be at least AUTH_MAX_FAILED_ATTEMPTS');
  }

  if (production) {
    if (!env.DATABASE_URL)
      problems.push('DATABASE_URL is required in production (the embedded PostgreSQL is for development only)');
    if (!env.JWT_SECRET) problems.push('JWT_SECRET is required in production');
    else if (jwtBytes < MIN_JWT_SECRET_BYTES)
      problems.push(`JWT_SECRET must be at least ${MIN_JWT_SECRET_BYTES} bytes in production`);
    if (!env.ENCRYPTION_KEY && !env.ENCRYPTION_KEYS)
      problems.push('ENCRYPTION_KEY or ENCRYPTION_KEYS is required in production');
    const dev = readDevSecrets(env.DATA_DIR);
    const devValues = new Set([...PLACEHOLDERS, ...(dev ? [dev.JWT_SECRET, dev.ENCRYPTION_KEY] : [])]);
    if (env.JWT_SECRET && devValues.has(env.JWT_SECRET))
      problems.push('JWT_SECRET is a development or example value; production needs its own secret');
    const keyMaterial = [
      env.ENCRYPTION_KEY,
      ...(env.ENCRYPTION_KEYS ?? '').split(',').map((e) => e.slice(e.indexOf(':') + 1)),
    ];
    if ([...keyMaterial, env.BLIND_INDEX_KEY].some((k) => k && devValues.has(k.trim()))) {
      problems.push('ENCRYPTION_KEY(S) contains a development or example key; production needs its own keys');
    }
    if (env.CORS_ORIGINS?.split(',').some((o) => o.trim() === '*'))
      problems.push('CORS_ORIGINS may not be * in production');
  }

  if (problems.length > 0) throw new ConfigValidationError(problems);

  return Object.assign(new AppConfig(), {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      corsOrigins: (env.CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      trustProxy: trustProxy.value,
      docsEnabled: env.DOCS_ENABLED,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    database: {
      url: env.DATABASE_URL,
      replicaUrl: env.DATABASE_URL_REPLICA,
      replicaMaxLagSeconds: env.REPLICA_MAX_LAG_SECONDS,
      poolMax: env.DATABASE_POOL_MAX,
      migrateOnBoot: env.DATABASE_MIGRATE_ON_BOOT,
    },
    dataDir: env.DATA_DIR,
    redis: { url: env.REDIS_URL },
    auth: {
      jwtSecret: env.JWT_SECRET ?? '',
      accessTokenTtlSeconds: env.JWT_ACCESS_TOKEN_TTL_SECONDS,
      maxFailedAttempts: env.AUTH_MAX_FAILED_ATTEMPTS,
      failedWindowSeconds: env.AUTH_FAILED_WINDOW_SECONDS,
      maxFailedAttemptsPerClient: env.AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT ?? 4 * env.AUTH_MAX_FAILED_ATTEMPTS,
      verifyConcurrency: env.AUTH_VERIFY_CONCURRENCY,
      verifyQueue: env.AUTH_VERIFY_QUEUE,
      oidc: env.AUTH_JWKS_URL
        ? {
            jwksUrl: env.AUTH_JWKS_URL,
            issuer: env.AUTH_JWT_ISSUER ?? '',
            audience: env.AUTH_JWT_AUDIENCE ?? '',
            cooldownSeconds: env.AUTH_JWKS_COOLDOWN_SECONDS,
          }
        : null,
      rolesClaim: env.AUTH_ROLES_CLAIM,
    },
    crypto: {
      keys: keys.keys,
      currentKeyId: keys.currentKeyId,
      blindIndexKey: blindIndexKey ?? undefined,
      dataKeyCacheSize: env.DATA_KEY_CACHE_SIZE,
      // Without Redis a shredded key can only leave other instances' caches by expiring, so it expires sooner.
      dataKeyCacheTtlSeconds: env.DATA_KEY_CACHE_TTL_SECONDS ?? (env.REDIS_URL ? 300 : 30),
      rotationBatchSize: env.KEY_ROTATION_BATCH_SIZE,
    },
    consent: {
      cacheSize: env.CONSENT_CACHE_SIZE,
      cacheTtlSeconds: env.CONSENT_CACHE_TTL_SECONDS,
      // A grant must reach every instance within 1 s: by Redis at once, or else by a 1 s lifetime of refusals.
      refusalCacheTtlSeconds: env.REDIS_URL ? env.CONSENT_CACHE_TTL_SECONDS : 1,
      withdrawalAction: env.CONSENT_WITHDRAWAL_ACTION,
    },
    learning: {
      retentionDays: env.DATA_RETENTION_DAYS,
      batchMaxEvents: env.LEARNING_BATCH_MAX_EVENTS,
      batchBodyLimitBytes: env.LEARNING_BATCH_BODY_LIMIT_BYTES,
      userQuota: {
        events: env.LEARNING_USER_QUOTA_EVENTS,
        bytes: env.LEARNING_USER_QUOTA_BYTES,
        windowSeconds: env.LEARNING_USER_QUOTA_WINDOW_SECONDS,
      },
    },
    cache: { ttlSeconds: env.CACHE_TTL_SECONDS, memoryMaxEntries: env.CACHE_MEMORY_MAX_ENTRIES },
    patterns: {
      minUserSupport: env.MIN_USER_SUPPORT,
      maxSequenceLength: env.MAX_SEQUENCE_LENGTH,
      maxSequenceGap: env.MAX_SEQUENCE_GAP,
      gappedMinShare: env.MINING_GAPPED_MIN_SHARE,
      maxOccurrencesPerUser: env.MINING_MAX_OCCURRENCES_PER_USER,
      windowDays: env.MINING_WINDOW_DAYS ?? env.DATA_RETENTION_DAYS,
      workMemMb: env.MINING_WORK_MEM_MB,
      concurrency: env.MINING_CONCURRENCY,
      cron: env.PATTERNS_CRON === 'off' ? null : env.PATTERNS_CRON,
    },
    retention: {
      patternDays: env.PATTERN_RETENTION_DAYS,
      insightDays: env.INSIGHT_RETENTION_DAYS,
      auditDays: env.AUDIT_RETENTION_DAYS,
      runDays: env.RUN_RETENTION_DAYS,
      cron: env.RETENTION_CRON === 'off' ? null : env.RETENTION_CRON,
    },
    privacy: {
      dpEpsilon: env.DP_EPSILON ?? null,
      dpDelta: env.DP_DELTA,
      maxPatternsPerUser: env.DP_MAX_PATTERNS_PER_USER,
      budgetEpsilon: env.PRIVACY_BUDGET_EPSILON,
      budgetDelta: env.PRIVACY_BUDGET_DELTA,
      budgetDays: env.PRIVACY_BUDGET_DAYS,
    },
    insights: {
      periodDays: env.INSIGHTS_PERIOD_DAYS,
      baselineDays: env.INSIGHTS_BASELINE_DAYS,
      alpha: env.INSIGHTS_ALPHA,
      anomalyZ: env.INSIGHTS_ANOMALY_Z,
      frictionRate: env.INSIGHTS_FRICTION_RATE,
      minConfidence: env.INSIGHTS_MIN_CONFIDENCE,
      dpEpsilon: env.INSIGHTS_DP_EPSILON ?? null,
    },
    metrics: { token: env.METRICS_TOKEN, suspiciousDenials: env.SECURITY_SUSPICIOUS_DENIALS },
    monitor: {
      windowSeconds: env.MONITOR_WINDOW_SECONDS,
      p95Ms: env.MONITOR_P95_MS,
      errorRate: env.MONITOR_ERROR_RATE,
      eventLoopLagMs: env.MONITOR_EVENT_LOOP_LAG_MS,
    },
    throttle: { limit: env.THROTTLE_LIMIT, ttlSeconds: env.THROTTLE_TTL_SECONDS },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT ?? (production ? 'json' : 'pretty') },
    health: {
      heapLimitBytes: env.HEALTH_HEAP_LIMIT_MB * 1024 * 1024,
      diskThreshold: env.HEALTH_DISK_THRESHOLD,
      diskPath: env.HEALTH_DISK_PATH,
    },
    generatedSecrets: generated,
  });
}
