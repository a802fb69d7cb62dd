import type { FastifyInstance } from 'fastify';
import type { Histogram } from 'prom-client';
import type { MetricsService } from '../../observability/metrics.service';
import type { SecurityMonitor } from './security-monitor';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Buckets of the request histogram: from 1 ms (cached reads) to 10 s. */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Child = ReturnType<Histogram<'method' | 'route' | 'status_class'>['labels']>;

/**
 * RED metrics of every answer — `http_request_duration_seconds` (histogram) and `http_requests_total` by method,
 * route template and status class — plus the open connections and the security monitor's view of 401/403/429.
 * Labels are bounded: the route is the matched template (`unmatched` for 404s of unknown paths), never the URL.
 */
export function registerHttpMetrics(
  fastify: FastifyInstance,
  metrics: MetricsService,
  security: SecurityMonitor,
): void {
  const duration = metrics.histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'],
    buckets: HTTP_DURATION_BUCKETS,
  });
  const total = metrics.counter({
    name: 'http_requests_total',
    help: 'Answered requests by method, route template and status class',
    labelNames: ['method', 'route', 'status_class'],
  });
  let open = 0;
  metrics.gauge({
    name: 'http_open_connections',
    help: 'Client connections open now (keep-alive connections included)',
    collect() {
      this.set(open);
    },
  });
  fastify.server.on('connection', (socket) => {
    open++;
    socket.once('close', () => open--);
  });

  // Label children are looked up once per (method, route, status class), not hashed on every request.
  const children = new Map<string, [Child, ReturnType<typeof total.labels>]>();
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    const status = reply.statusCode;
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) {
      const labels = { method, route, status_class: `${Math.floor(status / 100)}xx` };
      child = [duration.labels(labels), total.labels(labels)];
      children.set(key, child);
    }
    child[0].observe(reply.elapsedTime / 1000);
    child[1].inc();
    if (status === 401 || status === 403 || status === 429) security.observe(request.ip, status, route);
    done();
  });
}
