import type { FastifyInstance } from 'fastify';
import { startDetections } from './scanner.ts';
import type { Periodic } from '../../app/periodic.ts';

/**
 * The detection scanner on a node: started when the HTTP server is ready,
 * stopped with it. Every node runs one; the lease makes one of them scan.
 */
export function mountDetections(app: FastifyInstance): void {
  let scanner: Periodic | undefined;
  app.addHook('onReady', async () => {
    scanner = startDetections(app.ctx);
  });
  app.addHook('onClose', async () => {
    await scanner?.stop();
  });
}
