import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config/config.ts';
import { authenticate } from './admin-auth.ts';
import { clusterMetricsSource, isWorker } from '../app/cluster.ts';
import { operationRoute } from './routes/admin/on-first-use.ts';

/**
 * Prometheus metrics. They tell an outsider how busy the server is and which
 * routes fail, so they are not public: with TESSERA_METRICS_PORT they are served
 * on a listener of their own (bind it where only the scraper reaches), otherwise
 * on the main listener only to a caller with an admin API token.
 *
 * One registry per server instance, so tests that build several servers do not collide.
 */
export function addMetrics(app: FastifyInstance, config: Pick<Config, 'host' | 'metricsPort'>): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tessera_' });
  const duration = new Histogram({
    name: 'tessera_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'tessera_http_server_errors_total',
    help: 'Responses with a 5xx status',
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = operationRoute(request) ?? request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) errors.inc();
  });
  // With several workers (tessera serve --workers), a scrape shows them all, gathered by the primary.
  const text = isWorker() ? clusterMetricsSource(registry) : () => registry.metrics();
  const send = async (reply: FastifyReply) => reply.type(registry.contentType).send(await text());

  if (config.metricsPort === undefined) {
    app.get('/metrics', async (request, reply) => {
      await authenticate(request, reply);
      return send(reply);
    });
    return registry;
  }
  const listener = Fastify();
  listener.get('/metrics', async (_request, reply) => send(reply));
  // Started with the server (a port already taken stops start-up) and closed with it.
  app.addHook('onReady', async () => {
    await listener.listen({ host: config.host, port: config.metricsPort });
  });
  app.addHook('onClose', async () => {
    await listener.close();
  });
  app.decorate('metricsListener', listener);
  return registry;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The separate /metrics listener when TESSERA_METRICS_PORT is set. */
    metricsListener?: FastifyInstance;
  }
}
