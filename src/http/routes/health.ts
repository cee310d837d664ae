import type { FastifyInstance } from 'fastify';
import { STORE_RETRY_AFTER_SECONDS, storeTrouble } from '../../store/unavailable.ts';

/** Liveness answers while the process runs; readiness also needs the store. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    try {
      await app.ctx.store.ping();
      return { status: 'ready', store: app.ctx.store.engine };
    } catch (err) {
      const why = storeTrouble(err);
      request.log.warn({ err }, `store unavailable: ${why}`);
      return reply.status(503).header('retry-after', String(STORE_RETRY_AFTER_SECONDS)).send({ status: 'unavailable', message: why });
    }
  });
}
