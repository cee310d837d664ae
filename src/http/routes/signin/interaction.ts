import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpSession } from '../../../signin/session/sessions.ts';
import { saveTransaction, startTransaction } from '../../../signin/transaction.ts';
import { stepUpMethods } from '../../../signin/step-up.ts';
import { decideNext } from '../../../signin/steps/next.ts';
import type { Completed } from '../../../signin/steps/complete.ts';
import { reuseSession } from '../../../signin/session/reuse.ts';
import { claimSigninDevice, deviceIdFromToken, deviceTokenFrom } from '../../../policy/store/device-binding.ts';
import { setTransactionCookie } from './cookies.ts';
import { expired, renderStep } from './render.ts';

/**
 * The part of oidc-provider this bridge uses, described here so the sign-in
 * pages depend on a small, typed surface rather than the whole library.
 */
interface Interaction {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}
interface GrantLike {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}
export interface InteractionProvider {
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
  interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
  Grant: { new (init: { accountId: string; clientId: string }): GrantLike; find(id: string): Promise<GrantLike | undefined> };
}

function providerOf(app: FastifyInstance): InteractionProvider | undefined {
  return (app as unknown as { oidc?: InteractionProvider }).oidc;
}

async function details(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<Interaction | null> {
  const provider = providerOf(app);
  if (!provider) return null;
  try {
    return await provider.interactionDetails(request.raw, reply.raw);
  } catch {
    return null;
  }
}

/**
 * An app sent the browser here (/signin/<uid>). Consent is implied for the
 * organisation's own apps; for login, a live session that already reaches what
 * this app needs finishes at once, a weaker one is stepped up (only the missing
 * factor), otherwise a new sign-in transaction starts.
 */
export async function handleInteraction(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  uid: string,
  session: IdpSession | null,
): Promise<FastifyReply> {
  const ctx = app.ctx;
  const interaction = await details(app, request, reply);
  if (!interaction || interaction.uid !== uid) return expired(reply);
  const provider = providerOf(app)!;
  const requested = typeof interaction.params.acr_values === 'string' ? interaction.params.acr_values.split(' ').filter(Boolean) : [];

  // Consent is implied: oidc-provider asks for it only once its login checks (the access decision among them) passed.
  if (interaction.prompt.name === 'consent') {
    const accountId = interaction.session?.accountId;
    const clientId = String(interaction.params.client_id ?? '');
    if (!accountId) return expired(reply);
    const grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
    const g = grant ?? new provider.Grant({ accountId, clientId });
    const d = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (d.missingOIDCScope) g.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) g.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) g.addResourceScope(indicator, scopes.join(' '));
    const grantId = await g.save();
    const url = await provider.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return reply.redirect(url, 303);
  }

  const forced = interaction.prompt.reasons.includes('login_prompt') || interaction.prompt.reasons.includes('max_age');
  const clientId = typeof interaction.params.client_id === 'string' ? interaction.params.client_id : null;
  let stepUpAllowed = !forced;
  let refusal: { message: string } | null = null;
  if (session && !forced) {
    // Reusing the live session for this app: the access decision says allow, refuse, or what is missing.
    const deviceId = await deviceIdFromToken(ctx.store.db, deviceTokenFrom(request.headers, request.cookies));
    const reuse = await reuseSession(ctx, session, { clientId, ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestedAcr: requested, deviceId });
    if (reuse.kind === 'allow') return finishInteraction(app, request, reply, reuse.done);
    if (reuse.kind === 'refused') refusal = { message: reuse.message };
    else stepUpAllowed = !reuse.reauthenticate;
  }

  const stepUp = session && stepUpAllowed && !refusal ? await stepUpMethods(ctx, session) : undefined;
  const { transaction, bindingSecret } = await startTransaction(ctx.store.db, {
    interactionUid: uid,
    clientId,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
    requiredAcr: requested[0] ?? null,
    stepUp,
  });
  setTransactionCookie(reply, ctx.config, uid, bindingSecret);
  await claimSigninDevice(ctx.store.db, transaction.id, deviceTokenFrom(request.headers, request.cookies));
  if (refusal) {
    // Final for this request: the blocked page says which rule; nothing typed here changes it.
    transaction.step = 'blocked';
    await saveTransaction(ctx.store.db, transaction);
    return renderStep(ctx, reply, transaction, bindingSecret, refusal.message, 403);
  }
  if (stepUp && stepUp.methods.length) {
    const outcome = await decideNext(ctx, transaction);
    if (outcome.kind === 'show') return renderStep(ctx, reply, outcome.transaction, bindingSecret, outcome.error, outcome.status);
  }
  if (typeof interaction.params.login_hint === 'string' && !stepUp) transaction.usernameTyped = interaction.params.login_hint.slice(0, 256);
  return renderStep(ctx, reply, transaction, bindingSecret);
}

/** Hands the finished sign-in back to oidc-provider, which redirects to the app (via consent when needed). */
export async function finishInteraction(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  done: Completed,
): Promise<FastifyReply> {
  const provider = providerOf(app);
  if (!provider) return reply.redirect('/account', 303);
  const url = await provider.interactionResult(
    request.raw,
    reply.raw,
    { login: { accountId: done.userId, amr: done.amr, acr: done.acr, ts: Math.floor(done.authTime.getTime() / 1000), remember: done.persistent !== false } },
    { mergeWithLastSubmission: false },
  );
  return reply.redirect(url, 303);
}
