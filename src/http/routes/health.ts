import type { FastifyInstance } from 'fastify';

/** Liveness answers while the process runs; readiness also needs the store. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    try {
      await app.ctx.store.ping();
      return { status: 'ready', store: app.ctx.store.engine };
    } catch (err) {
      request.log.warn({ err }, 'store not reachable');
      return reply.status(503).send({ status: 'unavailable', message: 'store not reachable' });
    }
  });
}
