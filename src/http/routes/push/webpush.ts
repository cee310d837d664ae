import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import type { AuthenticatedDevice } from '../../../methods/push/authenticate.ts';
import type { PushRequest } from '../../../methods/push/requests.ts';
import { registerAnnouncer } from '../../../methods/push/webpush/announce.ts';
import { notifySigninRequest, type NotifyDeps } from '../../../methods/push/webpush/notify.ts';
import { removeSubscription, saveSubscription, subscriptionBody } from '../../../methods/push/webpush/subscriptions.ts';
import { vapidPublicKey } from '../../../methods/push/webpush/vapid.ts';
import { HttpError, badRequest } from '../../errors.ts';
import { appNameOf, appNames } from './app-names.ts';

/**
 * Web Push in the push protocol (docs/push-protocol.md, "Web Push"): the
 * server's VAPID public key for the authenticator, the device's subscription
 * (register, replace, remove; signed with the device key like every call), and
 * the announcer that sends a notice when a sign-in stores a push request.
 */

/** The VAPID subject: the configured contact, else the issuer when it is https; none turns Web Push off. */
export function vapidSubject(ctx: AppContext): string | null {
  return ctx.config.webPush?.contact ?? (ctx.config.issuer.startsWith('https://') ? ctx.config.issuer : null);
}

function notifyDeps(ctx: AppContext): NotifyDeps {
  return {
    store: ctx.store, secrets: ctx.secrets, logger: ctx.logger, subject: vapidSubject(ctx),
    allowPrivateOrigins: ctx.config.webPush?.allowPrivateOrigins ?? [],
  };
}

async function announce(ctx: AppContext, deps: NotifyDeps, request: PushRequest): Promise<void> {
  try {
    const names = await appNames(ctx.store.db, [request]);
    await notifySigninRequest(deps, request, appNameOf(names, request) ?? 'Tessera');
  } catch (err) {
    ctx.logger.warn({ requestId: request.id, err: (err as Error).message }, 'web push failed; the authenticator still finds the request by polling');
  }
}

export function webPushRoutes(
  app: FastifyInstance, prefix: string, device: (request: FastifyRequest) => Promise<AuthenticatedDevice>, json: (request: FastifyRequest) => unknown,
): void {
  const ctx = app.ctx;
  const deps = notifyDeps(ctx);
  if (!deps.subject) ctx.logger.info('Web Push is off: set TESSERA_WEBPUSH_CONTACT (or use an https issuer); authenticators poll for requests');
  const unregister = registerAnnouncer(ctx.store, (request) => announce(ctx, deps, request));
  app.addHook('onClose', async () => unregister());

  const off = () => new HttpError(404, 'web_push_off', 'this server does not send Web Push (no contact for push services is set); keep polling for requests');

  app.get(`${prefix}/webpush/key`, async (request, reply) => {
    await device(request);
    if (!deps.subject) throw off();
    reply.header('cache-control', 'no-store');
    return { applicationServerKey: await vapidPublicKey(ctx.store.db, ctx.secrets) };
  });

  app.put(`${prefix}/webpush/subscription`, async (request) => {
    const d = await device(request);
    if (!deps.subject) throw off();
    const parsed = subscriptionBody.safeParse(json(request));
    if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? 'not a Web Push subscription', 'bad_subscription');
    const saved = await saveSubscription(ctx.store, ctx.secrets, d, parsed.data, deps.allowPrivateOrigins, { requestId: request.id });
    if (!saved.ok) throw badRequest(saved.reason, 'bad_endpoint');
    return { result: 'subscribed', pushService: saved.origin };
  });

  app.delete(`${prefix}/webpush/subscription`, async (request) => {
    const d = await device(request);
    return { result: (await removeSubscription(ctx.store, d, { requestId: request.id })) ? 'removed' : 'none' };
  });
}
