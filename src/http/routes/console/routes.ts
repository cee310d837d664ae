import type { FastifyInstance } from 'fastify';
import { consoleLoginRoutes } from './login.ts';
import { consoleShellRoutes } from './shell.ts';

/** The admin console: its sign-in as an OIDC client of this server, and the page shell. */
export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  await app.register(consoleLoginRoutes);
  await app.register(consoleShellRoutes);
}
