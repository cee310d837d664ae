import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { RadiusServer } from './server.ts';
import { RadsecServer } from './radsec.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This node's RADIUS server, when TESSERA_RADIUS_PORT is not 0 (tests read its port). */
    radius?: RadiusServer;
    radsec?: RadsecServer;
  }
}

/**
 * Runs the RADIUS server (and RadSec, when a certificate is configured) with
 * the HTTP server: started when it is ready, closed with it.
 */
export function mountRadius(app: FastifyInstance, registry: Registry | undefined): void {
  const { ctx } = app;
  const settings = ctx.config.radius;
  if (!settings) return;
  const server = new RadiusServer(ctx, { host: settings.host, port: settings.port, registry, flow: settings.flow });
  app.decorate('radius', server);
  const radsec = settings.radsec ? new RadsecServer(ctx, server, settings.radsec) : undefined;
  if (radsec) app.decorate('radsec', radsec);
  app.addHook('onReady', async () => {
    const at = await server.listen(settings.host, settings.port);
    ctx.logger.info({ host: at.address, port: at.port }, 'RADIUS listening');
    if (radsec && settings.radsec) {
      const tls = await radsec.listen(settings.host, settings.radsec.port);
      ctx.logger.info({ host: tls.address, port: tls.port }, 'RadSec listening');
    }
  });
  app.addHook('onClose', async () => {
    await radsec?.close();
    await server.close();
  });
}
