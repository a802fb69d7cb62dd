import { utilities as nestWinston } from 'nest-winston';
import * as winston from 'winston';
import type { AppConfig } from '../config/app-config';
import { redact, redactString } from './redact';
import { currentRequestId } from '../common/http/request-context';

const RESERVED = new Set(['level', 'message', 'timestamp', 'context', 'requestId', 'ms']);

/** Adds the current request id and scrubs secrets from the message and every metadata field. */
const enrich = winston.format((info) => {
  const requestId = currentRequestId();
  if (requestId && !info.requestId) info.requestId = requestId;
  if (typeof info.message === 'string') info.message = redactString(info.message);
  for (const key of Object.keys(info)) {
    if (!RESERVED.has(key)) info[key] = redact(info[key]);
  }
  return info;
});

const LEVEL = Symbol.for('level');

/** Everything but errors (they go to stderr). */
const notError = winston.format((info) => (info[LEVEL] === 'error' ? false : info));

/**
 * Errors to stderr, the rest to stdout, written to the process's streams themselves rather than through `console`:
 * a host may replace `console` (a test runner does, and refuses lines after a test file ended, failing the run).
 */
export function createWinstonOptions(config: Pick<AppConfig, 'log'>): winston.LoggerOptions {
  const format =
    config.log.format === 'json'
      ? winston.format.combine(
          winston.format.timestamp(),
          enrich(),
          winston.format.errors({ stack: true }),
          winston.format.json(),
        )
      : winston.format.combine(
          winston.format.timestamp(),
          enrich(),
          winston.format.ms(),
          nestWinston.format.nestLike('ai-learning', { colors: process.stdout.isTTY, prettyPrint: false }),
        );
  return {
    level: config.log.level,
    format,
    transports: [
      new winston.transports.Stream({ stream: process.stdout, format: notError() }),
      new winston.transports.Stream({ stream: process.stderr, level: 'error' }),
    ],
  };
}
