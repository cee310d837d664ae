import type { FastifyInstance } from 'fastify';
import { pushProtocolRoutes } from './protocol-routes.ts';
import { pushSigninStatusRoutes } from './signin-status.ts';
import { accountPushRoutes } from '../account/push.ts';
import { accountPhoneRoutes } from '../account/phone.ts';
import { authenticatorAppRoutes } from './authenticator-app.ts';

/** Push: the authenticator protocol (its own context: it keeps raw JSON bodies), the sign-in page's status, the account pages; and the phone account pages. */
export async function pushRoutes(app: FastifyInstance): Promise<void> {
  await app.register(pushProtocolRoutes);
  await app.register(pushSigninStatusRoutes);
  await app.register(accountPushRoutes);
  await app.register(accountPhoneRoutes);
  await app.register(authenticatorAppRoutes);
}
