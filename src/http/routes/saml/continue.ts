import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { findUserById } from '../../../directory/users.ts';
import { claimSigninDevice, deviceIdFromToken, deviceTokenFrom } from '../../../policy/store/device-binding.ts';
import { loadSession, type IdpSession } from '../../../signin/session/sessions.ts';
import { stepUpMethods } from '../../../signin/step-up.ts';
import { decideNext } from '../../../signin/steps/next.ts';
import { startTransaction } from '../../../signin/transaction.ts';
import { askSamlAccess } from '../../../protocols/saml/access.ts';
import { acrForClassRefs, classRefFor } from '../../../protocols/saml/authn-context.ts';
import type { SamlSigningKey } from '../../../protocols/saml/keys.ts';
import { nameIdSecret } from '../../../protocols/saml/keys.ts';
import { sessionIndexFor } from '../../../protocols/saml/logout.ts';
import { claimRequest, isUnsolicited, pendingRequest, type PendingRequest } from '../../../protocols/saml/requests.ts';
import { signedResponse } from '../../../protocols/saml/response.ts';
import { findServiceProvider, type StoredServiceProvider } from '../../../protocols/saml/service-providers.ts';
import { samlSubject, SubjectError } from '../../../protocols/saml/subject.ts';
import { readSessionCookie, setTransactionCookie } from '../signin/cookies.ts';
import { renderStep } from '../signin/render.ts';
import { postToApp, samlProblem } from './pages.ts';

/**
 * /saml/continue/<handle>: where a stored AuthnRequest is answered. With a live
 * session the access decision is asked for this SP (protocols/saml/access.ts);
 * without one, or when it asks for more, the browser goes through the sign-in
 * pages with this URL as where to come back, and the decision is asked again
 * here before any assertion is issued.
 */
const STALE = 'This sign-in request has expired or was already answered. Go back to the app and sign in again.';

export async function continueSaml(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, handle: string, key: SamlSigningKey): Promise<FastifyReply> {
  const db = ctx.store.db;
  const pending = await pendingRequest(db, handle);
  const sp = pending ? await findServiceProvider(db, pending.spId) : undefined;
  if (!pending || !sp) return samlProblem(reply, 400, 'Sign-in expired', STALE);
  const session = await loadSession(db, readSessionCookie(request, ctx.config), ctx.config.session);
  // A sign-in that finished after the request arrived went through the pages for it (ForceAuthn is then met).
  const justSignedIn = Boolean(session && session.authTime.getTime() >= pending.createdAt.getTime() - 1000);
  const requestedAcr = acrForClassRefs(pending.requestedContexts);
  if (!session || (pending.forceAuthn && !justSignedIn)) return startSignin(ctx, request, reply, pending, sp, requestedAcr, null);

  const deviceId = await deviceIdFromToken(db, deviceTokenFrom(request.headers, request.cookies));
  const access = await askSamlAccess(ctx, session, {
    app: sp.name, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestedAcr, deviceId, justSignedIn,
  });
  if (access.kind === 'refused') {
    await claimRequest(db, handle);
    return samlProblem(reply, 403, 'Access refused', access.message);
  }
  if (access.kind === 'step_up') return startSignin(ctx, request, reply, pending, sp, requestedAcr, access.reauthenticate ? null : session);

  const user = await findUserById(db, session.userId);
  if (!user) return samlProblem(reply, 400, 'Sign-in expired', STALE);
  let subject;
  try {
    subject = await samlSubject(db, user, sp.nameIdFormat, sp.entityId, await nameIdSecret(db, ctx.secrets), sp.attributes);
  } catch (err) {
    if (err instanceof SubjectError) return samlProblem(reply, 403, 'Access refused', err.message);
    throw err;
  }
  // Each AuthnRequest is answered once, whichever node gets here first.
  if (!(await claimRequest(db, handle))) return samlProblem(reply, 400, 'Sign-in expired', STALE);
  const response = await signedResponse({
    issuer: ctx.config.issuer, key, spEntityId: sp.entityId, acsUrl: pending.acsUrl, inResponseTo: isUnsolicited(pending.requestId) ? null : pending.requestId, subject,
    authnContextClassRef: classRefFor(access.acr, pending.requestedContexts), authnInstant: session.authTime, sessionIndex: sessionIndexFor(session.id),
    encryptionCertificate: sp.encryptionCertificate,
  });
  return postToApp(reply, pending.acsUrl, response, pending.relayState);
}

/** The sign-in pages for this request: a new sign-in, or (stepUpFrom) only the factors the session lacks. */
async function startSignin(
  ctx: AppContext, request: FastifyRequest, reply: FastifyReply, pending: PendingRequest, sp: StoredServiceProvider,
  requestedAcr: string[], stepUpFrom: IdpSession | null,
): Promise<FastifyReply> {
  const db = ctx.store.db;
  const stepUp = stepUpFrom ? await stepUpMethods(ctx, stepUpFrom) : undefined;
  const { transaction, bindingSecret } = await startTransaction(db, {
    clientId: sp.name, returnTo: `/saml/continue/${pending.handle}`, ip: request.ip, userAgent: request.headers['user-agent'] ?? null,
    requiredAcr: requestedAcr[0] ?? null, stepUp,
  });
  setTransactionCookie(reply, ctx.config, transaction.id, bindingSecret);
  await claimSigninDevice(db, transaction.id, deviceTokenFrom(request.headers, request.cookies));
  if (stepUp && stepUp.methods.length) {
    const outcome = await decideNext(ctx, transaction);
    if (outcome.kind === 'show') return renderStep(ctx, reply, outcome.transaction, bindingSecret, outcome.error, outcome.status);
    // The sign-in would finish with nothing more to prove, yet this app's policy wants more: say so rather than loop.
    await claimRequest(db, pending.handle);
    return samlProblem(reply, 403, 'Access refused', 'This app needs a stronger sign-in than this account can offer here. Ask your administrator.');
  }
  return reply.redirect(`/signin/${transaction.id}`, 303);
}
