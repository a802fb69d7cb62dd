/** `npm run validate:env`: checks the environment (and `.env`) exactly as the service does at boot. */
import 'reflect-metadata';
import { ConfigValidationError, loadConfig, readEnvironment } from '../config/load-config';

try {
  const config = loadConfig(readEnvironment(), { generateDevSecrets: false });
  const notes: string[] = [];
  if (!config.database.url)
    notes.push(
      `DATABASE_URL not set: an embedded PostgreSQL will run from ${config.dataDir}/postgres (development only)`,
    );
  if (!config.redis.url)
    notes.push('REDIS_URL not set: rate limits and caches stay in this process (not shared between instances)');
  for (const name of config.generatedSecrets)
    notes.push(`${name} not set: a development value is generated once into ${config.dataDir}/dev-secrets.json`);
  process.stdout.write(
    `Configuration OK (NODE_ENV=${config.env}, port ${config.http.port}, ${config.crypto.keys.length || 1} encryption key(s), current ${config.crypto.currentKeyId || 'k1'})\n` +
      notes.map((n) => `  note: ${n}\n`).join(''),
  );
} catch (error) {
  if (!(error instanceof ConfigValidationError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
