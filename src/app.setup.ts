import { RequestMethod } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { completeContract } from './common/http/openapi-contract';
import { WINSTON_MODULE_NEST_PROVIDER } from 'nest-winston';
import { answerClientError, answerFrameworkError } from './common/filters/framework-errors';
import type { AppConfig } from './config/app-config';
import { fastifyTrustProxy } from './config/trust-proxy';
import { registerHttpMetrics } from './modules/metrics/http-metrics';
import { MetricsService } from './observability/metrics.service';
import { SecurityMonitor } from './modules/metrics/security-monitor';
import { registerHttpLogging } from './observability/http-logging';
import { registerSecurityHeaders } from './common/http/security-headers';
import { requestIdFrom } from './common/http/request-context';

export const API_PREFIX = 'api/v1';

/** Fastify settings shared by main.ts and the tests: body limit, proxy trust, request ids. */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(config.http.trustProxy),
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) =>
      requestIdFrom(req.headers['x-request-id']),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Errors Fastify and Node answer before any route or filter runs are problem+json too.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    logger: false,
  });
}

function setupDocs(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Centralized AI Learning API')
      .setDescription(
        'Consent-gated, encrypted learning events; global patterns and collective insights. Errors are RFC 9457 ' +
          'application/problem+json with a stable `code`. Lists answer `{ items, nextCursor }`.',
      )
      .setVersion('1')
      .addServer('/', 'This service')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'HS256 JWT with sub, roles and exp',
      })
      .build(),
    {
      // Stable camelCase ids a client generator can name its methods by: patternsList, consentGetMine, …
      operationIdFactory: (controller, method) =>
        `${controller.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}${method.replace(/^./, (c) => c.toUpperCase())}`,
    },
  );
  completeContract(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}

/**
 * While the server drains, answers carry `Connection: close`, so keep-alive clients hang up after their in-flight
 * request and the close does not wait for their idle timeout.
 */
function closeKeepAliveOnShutdown(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

/** Everything global about the HTTP surface. main.ts and every e2e test call this, so tests see what users see. */
export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(app.get(WINSTON_MODULE_NEST_PROVIDER));
  const fastify = app.getHttpAdapter().getInstance();
  // Only JSON bodies are accepted; anything else is 415 (Fastify parses text/plain by default).
  fastify.removeContentTypeParser('text/plain');
  registerHttpLogging(fastify, config.log.level);
  registerHttpMetrics(fastify, app.get(MetricsService), app.get(SecurityMonitor));
  // The batch route takes up to LEARNING_BATCH_MAX_EVENTS events, so it has its own (larger) body limit.
  const routeBodyLimits: Record<string, number> = {
    [`/${API_PREFIX}/learning/events/batch`]: config.learning.batchBodyLimitBytes,
  };
  fastify.addHook('onRoute', (route) => {
    const limit = routeBodyLimits[route.url];
    if (limit !== undefined) route.bodyLimit = limit;
  });
  closeKeepAliveOnShutdown(fastify);
  registerSecurityHeaders(fastify);
  // No CORS handling at all unless origins are configured: then no cross-origin access is possible anyway.
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.http.corsOrigins.includes('*') ? true : config.http.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    });
  }
  app.setGlobalPrefix(API_PREFIX, {
    exclude: ['health', 'health/live', 'health/ready', 'metrics', 'errors'].map((path) => ({
      path,
      method: RequestMethod.GET,
    })),
  });
  if (config.http.docsEnabled) setupDocs(app);
}
