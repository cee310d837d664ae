import type { FastifyInstance, FastifyReply } from 'fastify';
import { html, page, type SafeHtml } from '../../html.ts';
import { hasRecentAuth } from '../../../signin/step-up.ts';
import { passwordManagedElsewhere } from '../../../directory/password-source.ts';
import { formCsrfValid, portalAuth, signinRedirect } from './guard.ts';
import { changeOwnPassword, PASSWORD_CHANGE_TEXT } from './password-change.ts';

function passwordView(csrf: string, error?: string): SafeHtml {
  return html`<h1>Change your password</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<p>Use a long passphrase you do not use anywhere else. Every other browser and app signed in as you will be signed out.</p>
<form method="post" action="/account/password">
<input type="hidden" name="csrf" value="${csrf}">
<label for="current">Current password</label>
<input id="current" name="current" type="password" autocomplete="current-password" maxlength="1024" required autofocus>
<label for="next">New password</label>
<input id="next" name="next" type="password" autocomplete="new-password" maxlength="1024" required>
<label for="confirm">New password again</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" maxlength="1024" required>
<button type="submit">Change password</button>
</form>
<p><a href="/account">Cancel</a></p>`;
}

function send(reply: FastifyReply, body: SafeHtml, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page({ title: 'Change your password', body }));
}

/**
 * /account/password: the person changes their own password, after verifying
 * with a second factor in the last ten minutes (the step-up sign-in otherwise),
 * never where the password lives in the organisation's directory.
 */
export async function accountPasswordRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;

  app.get('/account/password', async (request, reply) => {
    const a = await portalAuth(ctx, request);
    if (!a) return signinRedirect(reply, '/account/password');
    if (await passwordManagedElsewhere(ctx.store.db, a.session.userId)) return send(reply, html`<h1>Change your password</h1><p>${PASSWORD_CHANGE_TEXT.elsewhere}</p><p><a href="/account">Back</a></p>`, 409);
    if (!(await hasRecentAuth(ctx, a.session))) return signinRedirect(reply, '/account/password', true);
    return send(reply, passwordView(a.csrf));
  });

  app.post('/account/password', async (request, reply) => {
    const a = await portalAuth(ctx, request);
    if (!a) return signinRedirect(reply, '/account/password');
    if (!formCsrfValid(ctx, request)) return send(reply, passwordView(a.csrf, 'That form expired. Please try again.'), 403);
    if (!(await hasRecentAuth(ctx, a.session))) return signinRedirect(reply, '/account/password', true);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).slice(0, 4096) : '');
    const r = await changeOwnPassword(ctx, a.session, { current: field('current'), next: field('next'), confirm: field('confirm'), ip: request.ip, requestId: request.id });
    if (!r.ok) return send(reply, passwordView(a.csrf, r.message), r.status);
    return reply.redirect('/account?notice=password_changed', 303);
  });
}
