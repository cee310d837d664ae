import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, page } from '../../html.ts';
import { deleteExpiredSessions, loadSession, revokeSession, type IdpSession } from '../../../signin/session/sessions.ts';
import {
  deleteExpiredTransactions, loadTransaction, saveTransaction, startTransaction, transactionKey, type SigninTransaction,
} from '../../../signin/transaction.ts';
import { reuseSession } from '../../../signin/session/reuse.ts';
import { deviceOf, portalReuse } from '../account/guard.ts';
import { decideNext } from '../../../signin/steps/next.ts';
import { chooseMethod } from '../../../signin/steps/second-factor.ts';
import { restart } from '../../../signin/steps/restart.ts';
import { completeSignin } from '../../../signin/steps/complete.ts';
import { stepUpMethods } from '../../../signin/step-up.ts';
import type { StepOutcome } from '../../../signin/steps/outcome.ts';
import {
  clearSessionCookie, clearTransactionCookie, csrfValid, readSessionCookie, readTransactionCookie, setSessionCookie,
  setTransactionCookie,
} from './cookies.ts';
import { expired, renderStep } from './render.ts';
import { pageForAction } from './pages/index.ts';
import { actionAllowed } from '../../../signin/pipeline.ts';
import { field } from './pages/page.ts';
import { requestFacts, safeReturnTo } from './request-facts.ts';
import { dummyHash } from '../../../methods/password/hash.ts';
import { finishInteraction, handleInteraction } from './interaction.ts';
import { claimSigninDevice, deviceTokenFrom } from '../../../policy/store/device-binding.ts';

const keyParam = z.object({ key: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'unknown sign-in') });
const actionParam = keyParam.extend({ action: z.string().regex(/^[a-z][a-z-]{0,31}$/, 'unknown action') });
const form = z.record(z.string(), z.unknown()).nullish();

/**
 * The sign-in pages. A page URL is /signin/<key>: the app's interaction uid, or
 * the transaction id for portal sign-ins. GET shows the current step; each form
 * posts to /signin/<key>/<step>, and a successful step redirects back (so a
 * reload never resubmits a password or a code).
 */
export async function signinRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  // Finished sign-ins are deleted as they end; this clears abandoned ones (each logged) and long-dead sessions.
  const sweep = setInterval(() => {
    Promise.all([deleteExpiredTransactions(ctx.store), deleteExpiredSessions(ctx.store.db)]).catch((err: unknown) =>
      ctx.logger.warn({ err }, 'sign-in housekeeping failed'),
    );
  }, 5 * 60_000);
  sweep.unref();
  // Computed now so that the first unknown name after start costs no more than any other.
  void dummyHash();
  app.addHook('onClose', async () => clearInterval(sweep));

  async function currentSession(request: FastifyRequest): Promise<IdpSession | null> {
    return loadSession(ctx.store.db, readSessionCookie(request, ctx.config), ctx.config.session);
  }

  /** Portal entry: /signin?return_to=/account[&step_up=1] */
  app.get<{ Querystring: Record<string, unknown> }>('/signin', async (request, reply) => {
    const returnTo = safeReturnTo(request.query.return_to, ctx.config.issuer) ?? '/account';
    const session = await currentSession(request);
    // Reusing the session for the portal asks the access decision, as for any app.
    const reuse = session && request.query.step_up !== '1' ? await reuseSession(ctx, session, portalReuse(request, await deviceOf(ctx, request))) : null;
    if (reuse?.kind === 'allow') return reply.redirect(returnTo, 303);
    const wantsStepUp = request.query.step_up === '1' || (reuse?.kind === 'step_up' && !reuse.reauthenticate);
    const stepUp = session && wantsStepUp ? await stepUpMethods(ctx, session) : undefined;
    const { transaction, bindingSecret } = await startTransaction(ctx.store.db, {
      returnTo,
      ip: request.ip,
      userAgent: request.headers['user-agent'] ?? null,
      stepUp,
    });
    setTransactionCookie(reply, ctx.config, transaction.id, bindingSecret);
    if (reuse?.kind === 'refused') {
      transaction.step = 'blocked';
      await saveTransaction(ctx.store.db, transaction);
      return renderStep(ctx, reply, transaction, bindingSecret, reuse.message, 403);
    }
    if (stepUp) {
      // Only the missing factor is asked: straight to the second-factor choice.
      const outcome = await chooseMethodForStepUp(transaction);
      if (outcome) return handleOutcome(request, reply, outcome, bindingSecret);
    }
    return reply.redirect(`/signin/${transaction.id}`, 303);
  });

  async function chooseMethodForStepUp(t: SigninTransaction): Promise<StepOutcome | null> {
    return t.step === 'identify' && t.methodsUsed.length ? decideNext(ctx, t) : null;
  }

  app.get('/signin/:key', async (request, reply) => {
    const { key } = keyParam.parse(request.params);
    const secret = readTransactionCookie(request, key);
    const t = await loadTransaction(ctx.store.db, key, secret);
    if (t && secret) return renderStep(ctx, reply, t, secret);
    return handleInteraction(app, request, reply, key, await currentSession(request));
  });

  app.post('/signin/:key/:action', async (request, reply) => {
    const { key, action } = actionParam.parse(request.params);
    const body = form.parse(request.body);
    const secret = readTransactionCookie(request, key);
    const t = await loadTransaction(ctx.store.db, key, secret);
    if (!t || !secret) return expired(reply);
    if (!csrfValid(secret, body?.csrf)) {
      return renderStep(ctx, reply, t, secret, 'This form expired. Please try again.', 403);
    }
    // Conditional access: a managed device identifies itself with its device token.
    await claimSigninDevice(ctx.store.db, t.id, deviceTokenFrom(request.headers, request.cookies));
    const req = requestFacts(request);
    let outcome: StepOutcome;
    if (action === 'choose') {
      outcome = await chooseMethod(ctx, t, field(body, 'method'));
    } else if (action === 'restart') {
      if (t.sessionId) return reply.redirect('/account', 303);
      outcome = await restart(ctx, t);
    } else {
      const stepPage = pageForAction(action);
      if (!stepPage) return reply.status(404).send({ error: 'not_found', message: `no sign-in action ${action}` });
      // The pipeline says which actions the current step takes (src/signin/pipeline.ts). A form from a page
      // the transaction has moved past (back button, double submit) just shows where it is now.
      outcome = actionAllowed(t.step, action) ? await stepPage.actions![action]!(ctx, t, body, req) : { kind: 'show', transaction: t };
    }
    return handleOutcome(request, reply, outcome, secret);
  });

  async function handleOutcome(request: FastifyRequest, reply: FastifyReply, outcome: StepOutcome, secret: string) {
    const t = outcome.transaction;
    if (outcome.kind === 'show') {
      if (outcome.error) return renderStep(ctx, reply, t, secret, outcome.error, outcome.status ?? 400);
      return reply.redirect(`/signin/${transactionKey(t)}`, 303);
    }
    const session = await currentSession(request);
    const completion = await completeSignin(ctx, t, requestFacts(request), session, outcome.decision);
    // Asked again from another address, the decision may want more or refuse: show that step.
    if (completion.kind === 'show') return handleOutcome(request, reply, completion, secret);
    const done = completion.done;
    clearTransactionCookie(reply, transactionKey(t));
    if (done.sessionToken) setSessionCookie(reply, ctx.config, done.sessionToken, done.persistent === false ? undefined : ctx.config.session.absoluteSeconds);
    if (t.interactionUid) return finishInteraction(app, request, reply, done);
    return reply.redirect(t.returnTo ?? '/account', 303);
  }

  /** Sign out of Tessera (apps use RP-initiated logout, which ends this too). */
  app.post('/signout', async (request, reply) => {
    const session = await currentSession(request);
    if (session) {
      // Another site must not be able to sign people out: the form carries the page's CSRF token.
      if (!csrfValid(readSessionCookie(request, ctx.config), form.parse(request.body)?.csrf)) {
        return reply
          .status(403)
          .type('text/html; charset=utf-8')
          .send(page({ title: 'Sign out', body: html`<h1>You are still signed in</h1><p>This sign-out form expired. Sign out from your account page.</p><p><a class="button" href="/account">Your account</a></p>` }));
      }
      await revokeSession(ctx.store.db, session.id);
    }
    clearSessionCookie(reply, ctx.config);
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: 'Signed out', body: html`<h1>You are signed out</h1><p><a class="button" href="/account">Sign in again</a></p>` }));
  });
}
