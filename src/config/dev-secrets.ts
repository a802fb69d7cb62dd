import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEV_SECRETS_FILE = 'dev-secrets.json';

export interface DevSecrets {
  JWT_SECRET: string;
  ENCRYPTION_KEY: string;
}

export function devSecretsPath(dataDir: string): string {
  return join(dataDir, DEV_SECRETS_FILE);
}

/** Reads the development secrets kept in DATA_DIR, if a previous development run generated them. */
export function readDevSecrets(dataDir: string): DevSecrets | null {
  const file = devSecretsPath(dataDir);
  if (!existsSync(file)) return null;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>;
    if (typeof parsed.JWT_SECRET === 'string' && typeof parsed.ENCRYPTION_KEY === 'string') {
      return { JWT_SECRET: parsed.JWT_SECRET, ENCRYPTION_KEY: parsed.ENCRYPTION_KEY };
    }
  } catch {
    // An unreadable file is treated as absent and regenerated below.
  }
  return null;
}

/** Returns the development secrets, generating them once (file mode 0600) when DATA_DIR has none yet. */
export function readOrCreateDevSecrets(dataDir: string): DevSecrets {
  const existing = readDevSecrets(dataDir);
  if (existing) return existing;
  const secrets: DevSecrets = {
    JWT_SECRET: randomBytes(48).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  writeFileSync(devSecretsPath(dataDir), JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}
