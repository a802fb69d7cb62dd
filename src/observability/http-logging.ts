import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { requestContext } from './request-context';

const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Binds each request to its id (AsyncLocalStorage) so every log line of the request carries it, echoes the id
 * in `x-request-id`, and writes one access line per request: method, route template, status, duration. No
 * headers, query strings or bodies are logged.
 */
export function registerHttpLogging(fastify: FastifyInstance): void {
  const logger = new Logger('HTTP');
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    requestContext.run({ requestId: String(request.id) }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    const line = `${request.method} ${route} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`;
    const entry = { message: line, requestId: String(request.id), method: request.method, route, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 10) / 10 };
    if (QUIET_ROUTES.has(route) && reply.statusCode < 400) logger.debug(entry);
    else logger.log(entry);
    done();
  });
}
