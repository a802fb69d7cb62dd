import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

/** Applies decorators as if stacked above the property: the last first, so validation runs in the order written. */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const decorator of [...decorators].reverse()) decorator(target, property);
  };
}

/** An integer setting from `min` to `max`, read from its text. */
const IntSetting = (min: number, max: number) => stacked(Transform(toInt), IsInt(), Min(min), Max(max));
/** A number setting from `min` to `max`, read from its text. */
const NumberSetting = (min: number, max: number) => stacked(Transform(toNumber), IsNumber(), Min(min), Max(max));

const POSTGRES_URL = /^postgres(ql)?:\/\/\S+$/;
const REDIS_URL = /^rediss?:\/\/\S+$/;

/**
 * Every environment setting the service reads, with its bound. `.env.example` and docs/configuration.md's
 * configuration table document the same list; `npm run validate:env` checks an environment against it.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @IntSetting(0, 65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '0.0.0.0';

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'DATABASE_URL_REPLICA must be a postgres:// or postgresql:// URL' })
  DATABASE_URL_REPLICA?: string;

  /** How far behind the primary a replica may be for a run to read from it (it waits that long, then reads the primary). */
  @IntSetting(0, 3600)
  REPLICA_MAX_LAG_SECONDS = 30;

  @IntSetting(1, 200)
  DATABASE_POOL_MAX = 10;

  @Transform(toBool)
  @IsBoolean()
  DATABASE_MIGRATE_ON_BOOT = true;

  @IsString()
  @MinLength(1)
  DATA_DIR = './.data';

  @IsOptional()
  @Matches(REDIS_URL, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  JWT_SECRET?: string;

  @IntSetting(60, 86400)
  JWT_ACCESS_TOKEN_TTL_SECONDS = 900;

  /** Set: RS256/ES256 tokens of an OpenID Connect provider are verified against this JWKS (besides HS256). */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]{1,500}$/, { message: 'AUTH_JWKS_URL must be an http(s) URL' })
  AUTH_JWKS_URL?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  AUTH_JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  AUTH_JWT_AUDIENCE?: string;

  @Matches(/^[A-Za-z_][A-Za-z0-9_-]{0,63}(\.[A-Za-z_][A-Za-z0-9_-]{0,63}){0,4}$/, {
    message: 'AUTH_ROLES_CLAIM must be a claim name or a dotted path (e.g. realm_access.roles)',
  })
  AUTH_ROLES_CLAIM = 'roles';

  @IntSetting(1, 3600)
  AUTH_JWKS_COOLDOWN_SECONDS = 30;

  @IsOptional()
  @IsString()
  @MinLength(1)
  ENCRYPTION_KEY?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  ENCRYPTION_KEYS?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,32}$/, { message: 'ENCRYPTION_KEY_ID must be 1-32 characters of A-Z a-z 0-9 _ . -' })
  ENCRYPTION_KEY_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  BLIND_INDEX_KEY?: string;

  @IntSetting(1, 1_000_000)
  DATA_KEY_CACHE_SIZE = 10_000;

  @IsOptional()
  @IntSetting(1, 86400)
  DATA_KEY_CACHE_TTL_SECONDS?: number;

  @IntSetting(1, 10_000)
  KEY_ROTATION_BATCH_SIZE = 500;

  @IntSetting(1, 10_000_000)
  CONSENT_CACHE_SIZE = 100_000;

  @IntSetting(1, 3600)
  CONSENT_CACHE_TTL_SECONDS = 60;

  @IsIn(['delete', 'exclude'])
  CONSENT_WITHDRAWAL_ACTION: 'delete' | 'exclude' = 'delete';

  @IntSetting(1, 3650)
  DATA_RETENTION_DAYS = 90;

  @IntSetting(1, 10_000)
  LEARNING_BATCH_MAX_EVENTS = 1000;

  @IntSetting(1024, 256 * 1024 * 1024)
  LEARNING_BATCH_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

  @IntSetting(1, 100_000_000)
  LEARNING_USER_QUOTA_EVENTS = 10_000;

  @IntSetting(16 * 1024, 100 * 1024 * 1024 * 1024)
  LEARNING_USER_QUOTA_BYTES = 32 * 1024 * 1024;

  @IntSetting(1, 86400)
  LEARNING_USER_QUOTA_WINDOW_SECONDS = 3600;

  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  METRICS_TOKEN?: string;

  @IntSetting(1, 86400)
  CACHE_TTL_SECONDS = 60;

  @IntSetting(10, 10_000_000)
  CACHE_MEMORY_MAX_ENTRIES = 10_000;

  @IntSetting(2, 1_000_000)
  MIN_USER_SUPPORT = 5;

  @IntSetting(2, 6)
  MAX_SEQUENCE_LENGTH = 4;

  @IntSetting(0, 5)
  MAX_SEQUENCE_GAP = 2;

  @NumberSetting(0, 1)
  MINING_GAPPED_MIN_SHARE = 0.01;

  @IntSetting(1, 1000)
  MINING_MAX_OCCURRENCES_PER_USER = 10;

  @IsOptional()
  @IntSetting(1, 3650)
  MINING_WINDOW_DAYS?: number;

  @IntSetting(4, 4096)
  MINING_WORK_MEM_MB = 256;

  @IntSetting(1, 8)
  MINING_CONCURRENCY = 2;

  /** A cron expression (checked by load-config) or `off`. */
  @IsString()
  @MaxLength(128)
  PATTERNS_CRON = '0 * * * *';

  @IntSetting(1, 3650)
  PATTERN_RETENTION_DAYS = 180;

  @IntSetting(1, 3650)
  INSIGHT_RETENTION_DAYS = 365;

  @IntSetting(1, 3650)
  AUDIT_RETENTION_DAYS = 730;

  @IntSetting(1, 3650)
  RUN_RETENTION_DAYS = 365;

  /** A cron expression (checked by load-config) or `off`. */
  @IsString()
  @MaxLength(128)
  RETENTION_CRON = '0 2 * * *';

  @IntSetting(1, 90)
  INSIGHTS_PERIOD_DAYS = 7;

  @IntSetting(7, 365)
  INSIGHTS_BASELINE_DAYS = 28;

  @NumberSetting(0.000001, 0.5)
  INSIGHTS_ALPHA = 0.01;

  @NumberSetting(1, 100)
  INSIGHTS_ANOMALY_Z = 3.5;

  @NumberSetting(0.01, 1)
  INSIGHTS_FRICTION_RATE = 0.2;

  @NumberSetting(0.01, 0.99)
  INSIGHTS_MIN_CONFIDENCE = 0.5;

  @IsOptional()
  @NumberSetting(0.01, 10)
  INSIGHTS_DP_EPSILON?: number;

  /** Set: user-level differential privacy for patterns (ε a mining run spends over all its miners). */
  @IsOptional()
  @NumberSetting(0.01, 10)
  DP_EPSILON?: number;

  @NumberSetting(1e-12, 0.01)
  DP_DELTA = 1e-6;

  @IntSetting(1, 1000)
  DP_MAX_PATTERNS_PER_USER = 5;

  @NumberSetting(0.01, 1000)
  PRIVACY_BUDGET_EPSILON = 10;

  @NumberSetting(1e-12, 0.1)
  PRIVACY_BUDGET_DELTA = 1e-4;

  @IntSetting(1, 3650)
  PRIVACY_BUDGET_DAYS = 30;

  @IntSetting(1, 1_000_000)
  THROTTLE_LIMIT = 1000;

  @IntSetting(1, 86400)
  THROTTLE_TTL_SECONDS = 60;

  @IntSetting(1, 1000)
  AUTH_MAX_FAILED_ATTEMPTS = 5;

  @IntSetting(1, 86400)
  AUTH_FAILED_WINDOW_SECONDS = 900;

  @IsOptional()
  @IntSetting(1, 100_000)
  AUTH_MAX_FAILED_ATTEMPTS_PER_CLIENT?: number;

  @IntSetting(1, 64)
  AUTH_VERIFY_CONCURRENCY = 2;

  @IntSetting(0, 1000)
  AUTH_VERIFY_QUEUE = 8;

  @IntSetting(1024, 100 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  CORS_ORIGINS?: string;

  /** `false`, a hop count or trusted proxy addresses (checked by load-config). */
  @IsString()
  @MaxLength(1024)
  TRUST_PROXY = 'false';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsOptional()
  @IsIn(LOG_FORMATS)
  LOG_FORMAT?: (typeof LOG_FORMATS)[number];

  @Transform(toBool)
  @IsBoolean()
  DOCS_ENABLED = true;

  @IntSetting(16, 65536)
  HEALTH_HEAP_LIMIT_MB = 1024;

  @NumberSetting(0.01, 1)
  HEALTH_DISK_THRESHOLD = 0.95;

  @IsString()
  @MinLength(1)
  HEALTH_DISK_PATH = '/';

  @IntSetting(0, 300_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  @IntSetting(2, 100_000)
  SECURITY_SUSPICIOUS_DENIALS = 20;

  @IntSetting(10, 3600)
  MONITOR_WINDOW_SECONDS = 60;

  @IntSetting(10, 60_000)
  MONITOR_P95_MS = 1000;

  @NumberSetting(0.001, 1)
  MONITOR_ERROR_RATE = 0.05;

  @IntSetting(10, 10_000)
  MONITOR_EVENT_LOOP_LAG_MS = 200;
}
