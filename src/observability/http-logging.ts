import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { LOG_LEVELS } from '../config/env.schema';
import { requestContext } from '../common/http/request-context';

const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Binds each request to its id (AsyncLocalStorage) so every log line of the request carries it, echoes the id
 * in `x-request-id`, and writes one access line per request: method, route template, status, duration. No
 * headers, query strings or bodies are logged.
 */
/** A level is written when it is as severe as the configured one or more (LOG_LEVELS runs most severe first). */
const writes = (configured: string, level: string) =>
  LOG_LEVELS.indexOf(level as never) <= LOG_LEVELS.indexOf(configured as never);

export function registerHttpLogging(fastify: FastifyInstance, logLevel: string): void {
  const logger = new Logger('HTTP');
  // Decided once: an access line that will not be written is not built either.
  const info = writes(logLevel, 'info');
  const debug = writes(logLevel, 'debug');
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    requestContext.run({ requestId: String(request.id) }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    if (!info) return done();
    const route = request.routeOptions?.url ?? 'unmatched';
    const line = `${request.method} ${route} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`;
    const entry = {
      message: line,
      requestId: String(request.id),
      method: request.method,
      route,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (QUIET_ROUTES.has(route) && reply.statusCode < 400) {
      if (debug) logger.debug(entry);
    } else logger.log(entry);
    done();
  });
}
