import type { FastifyInstance } from 'fastify';
import { installDirectoryPasswords } from './password.ts';
import { startLdapSchedule } from './schedule.ts';

/**
 * Directory sources on a node: the password factor asks the directory for the
 * people whose source checks passwords there, and the sync schedule runs while
 * the HTTP server does (started when it is ready, stopped with it).
 */
export function mountLdap(app: FastifyInstance): void {
  const { ctx } = app;
  installDirectoryPasswords(ctx);
  let schedule: { stop(): Promise<void> } | undefined;
  app.addHook('onReady', async () => {
    schedule = startLdapSchedule(ctx);
  });
  app.addHook('onClose', async () => {
    await schedule?.stop();
  });
}
