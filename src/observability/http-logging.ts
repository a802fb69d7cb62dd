import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { requestContext } from './request-context';

const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Binds each request to its id (AsyncLocalStorage) so every log line of the request carries it, echoes the id
 * in `x-request-id`, and writes one access line per request: method, route template, status, duration. No
 * headers, query strings or bodies are logged.
 */
/** Winston's levels, most severe first; a level is written when it is at or above the configured one. */
const LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];
const writes = (configured: string, level: string) => LEVELS.indexOf(level) <= LEVELS.indexOf(configured);

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
    const entry = { message: line, requestId: String(request.id), method: request.method, route, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 };
    if (QUIET_ROUTES.has(route) && reply.statusCode < 400) {
      if (debug) logger.debug(entry);
    }
    else logger.log(entry);
    done();
  });
}
