import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, page, type SafeHtml } from '../../html.ts';
import type { AppContext } from '../../../app/context.ts';
import type { IdpSession } from '../../../signin/session/sessions.ts';
import { hasRecentAuth } from '../../../signin/step-up.ts';
import { issuePushEnrolment, listPushCredentials, removePushCredential } from '../../../methods/push/enrol.ts';
import { methodAllowedFor } from '../../../methods/policy/check.ts';
import { MethodError } from '../../../methods/errors.ts';
import { qrSvg } from '../../../methods/qr-code.ts';
import { qrImageSrc } from '../signin/pages/parts.ts';
import { formCsrfValid, portalAuth, requirePortalSession, signinRedirect } from './guard.ts';
import { badRequest, forbidden } from '../../errors.ts';
import { acknowledgeFatigueNotice, FATIGUE_NOTICE, hasAcknowledgedFatigueNotice } from '../../../monitor/posture/fatigue-notice.ts';

const idParam = z.object({ id: z.uuid() });
const noticeForm = z.object({ understood: z.literal('yes').optional() }).loose();
// The CSRF token may come in the body too.
const enrolmentBody = z.object({ acknowledgeFatigueNotice: z.boolean().optional() }).loose().optional();

/** Adding an authenticator needs recent MFA, or a session started with a Temporary Access Pass. */
export async function mayEnrol(ctx: AppContext, session: IdpSession): Promise<boolean> {
  if (session.methodUses.some((u) => u.method === 'tap')) return true;
  return hasRecentAuth(ctx, session);
}

/** The link a QR code carries: the authenticator app's page with the one-time token in the fragment (never sent to a server log). */
export function enrolmentLink(issuer: string, token: string): string {
  return `${issuer.replace(/\/$/, '')}/authenticator#enrol=${encodeURIComponent(token)}`;
}

function send(reply: FastifyReply, title: string, body: SafeHtml, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page({ title, body, wide: true }));
}

/** The MFA fatigue notice, acknowledged with a ticked box before the first push enrolment. */
function noticePage(csrf: string, error: boolean): SafeHtml {
  return html`<h1>${FATIGUE_NOTICE.title}</h1>
<div class="fatigue-notice" role="note">${FATIGUE_NOTICE.lines.map((l) => html`<p>${l}</p>`)}</div>
${error ? html`<p class="error" role="alert">${FATIGUE_NOTICE.required}</p>` : html``}
<form method="post" action="/account/push/notice"><input type="hidden" name="csrf" value="${csrf}">
<p><label><input type="checkbox" name="understood" value="yes" required> ${FATIGUE_NOTICE.acknowledge}</label></p>
<button type="submit">Continue</button> <a href="/account/push">Cancel</a></form>`;
}

export async function accountPushRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  const by = (userId: string, request: FastifyRequest) => ({ actor: `user:${userId}`, requestId: request.id });

  async function startEnrolment(request: FastifyRequest) {
    const a = await portalAuth(ctx, request);
    if (!a) return null;
    const allowed = await methodAllowedFor(ctx.store.db, 'push', a.session.userId);
    if (!allowed.allowed) return { a, refused: allowed.reason };
    if (!(await mayEnrol(ctx, a.session))) return { a, stepUp: true as const };
    // The notice comes first: no enrolment link is issued until it is acknowledged.
    if (!(await hasAcknowledgedFatigueNotice(ctx.store.db, a.session.userId))) return { a, acknowledged: false as const };
    const e = await issuePushEnrolment(ctx.store, a.session.userId, by(a.session.userId, request));
    return { a, acknowledged: true as const, enrolment: { ...e, link: enrolmentLink(ctx.config.issuer, e.token) } };
  }

  app.post('/account/push/notice', async (request, reply) => {
    const a = await portalAuth(ctx, request);
    if (!a) return signinRedirect(reply, '/account/push/new');
    if (!formCsrfValid(ctx, request)) return reply.redirect('/account/push', 303);
    if (noticeForm.safeParse(request.body ?? {}).data?.understood !== 'yes') return send(reply, FATIGUE_NOTICE.title, noticePage(a.csrf, true), 400);
    await acknowledgeFatigueNotice(ctx.store, a.session.userId, by(a.session.userId, request));
    return reply.redirect('/account/push/new', 303);
  });

  app.get('/account/push', async (request, reply) => {
    const a = await portalAuth(ctx, request);
    if (!a) return signinRedirect(reply, '/account/push');
    const creds = await listPushCredentials(ctx.store.db, a.session.userId);
    return send(reply, 'Push sign-in', html`<h1>Push sign-in</h1>
<p>Approve sign-ins on your phone or computer with the Tessera Authenticator: you enter the number the sign-in page shows.</p>
<ul>${creds.map((c) => html`<li data-push-credential="${c.id}">${c.label} (added ${c.createdAt.slice(0, 10)})
<form method="post" action="/account/push/${c.id}/remove"><input type="hidden" name="csrf" value="${a.csrf}"><button class="secondary" type="submit">Remove</button></form></li>`)}</ul>
<p><a class="button" href="/account/push/new">Add an authenticator</a> <a href="/account">Back</a></p>`);
  });

  app.get('/account/push/new', async (request, reply) => {
    const r = await startEnrolment(request);
    if (!r) return signinRedirect(reply, '/account/push/new');
    if ('refused' in r) return send(reply, 'Push sign-in', html`<h1>Push sign-in is not available</h1><p class="error" role="alert">${r.refused}.</p>`, 403);
    if ('stepUp' in r) return signinRedirect(reply, '/account/push/new', true);
    if (!r.acknowledged) return send(reply, FATIGUE_NOTICE.title, noticePage(r.a.csrf, false));
    const qr = await qrSvg(r.enrolment.link);
    return send(reply, 'Add an authenticator', html`<h1>Add an authenticator</h1>
<p>Scan this code with your phone's camera to open the Tessera Authenticator, or open the link on the device you want to use. For a command-line authenticator: <code>tessera authenticator enrol '&lt;link&gt;'</code>.</p>
<img class="qr" alt="Enrolment QR code" src="${qrImageSrc(qr)}">
<p><a id="enrol-link" href="${r.enrolment.link}">${r.enrolment.link}</a></p>
<p class="hint">The link works once and expires at ${r.enrolment.expiresAt.slice(11, 16)} UTC.</p>
<p><a href="/account/push">Done</a></p>`);
  });

  /** JSON for scripts: a new enrolment link. */
  app.post('/api/me/push/enrolments', async (request, reply) => {
    const { session } = await requirePortalSession(ctx, request, true);
    if (enrolmentBody.parse(request.body ?? undefined)?.acknowledgeFatigueNotice === true) {
      await acknowledgeFatigueNotice(ctx.store, session.userId, by(session.userId, request));
    }
    const r = await startEnrolment(request);
    if (!r || 'refused' in r) throw forbidden(r && 'refused' in r ? r.refused : 'not allowed');
    if ('stepUp' in r) throw forbidden('this change needs a fresh verification: sign in again with your second factor (GET /signin?step_up=1)');
    if (!r.acknowledged) throw badRequest(`${FATIGUE_NOTICE.apiRefused}. ${FATIGUE_NOTICE.lines.join(' ')}`);
    return reply.status(201).send(r.enrolment);
  });

  app.post('/account/push/:id/remove', async (request, reply) => {
    const a = await portalAuth(ctx, request);
    if (!a) return signinRedirect(reply, '/account/push');
    const { id } = idParam.parse(request.params);
    if (!formCsrfValid(ctx, request)) return reply.redirect('/account/push', 303);
    if (!(await hasRecentAuth(ctx, a.session))) return signinRedirect(reply, '/account/push', true);
    try {
      await removePushCredential(ctx.store, a.session.userId, id, { actor: `user:${a.session.userId}`, requestId: request.id });
    } catch (err) {
      if (!(err instanceof MethodError)) throw err;
    }
    return reply.redirect('/account/push', 303);
  });
}
