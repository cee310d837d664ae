import type { FastifyInstance } from 'fastify';
import { pushProtocolRoutes } from './protocol-routes.ts';
import { pushSigninStatusRoutes } from './signin-status.ts';
import { accountPushRoutes } from '../account/push.ts';

/** Push: the authenticator protocol (its own context: it keeps raw JSON bodies), the sign-in page's status, the account pages. */
export async function pushRoutes(app: FastifyInstance): Promise<void> {
  await app.register(pushProtocolRoutes);
  await app.register(pushSigninStatusRoutes);
  await app.register(accountPushRoutes);
}
