import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { phoneCodeKey } from '../../../methods/phone/codes.ts';
import { z } from 'zod';
import { html, page, type SafeHtml } from '../../html.ts';
import { addProvenMethod } from '../../../signin/session/sessions.ts';
import { confirmPhoneRegistration, listPhones, maskNumber, PHONE_WARNING, removePhone, startPhoneRegistration } from '../../../methods/phone/numbers.ts';
import { senderFor } from '../../../methods/phone/senders.ts';
import { MethodError } from '../../../methods/errors.ts';
import { formCsrfValid, portalAuth, signinRedirect, type PortalAuth } from './guard.ts';
import { mayEnrol } from './push.ts';

const idParam = z.object({ id: z.uuid() });
const addBody = z.object({ channel: z.enum(['sms', 'voice']), number: z.string().max(40) });

function send(reply: FastifyReply, body: SafeHtml, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page({ title: 'Phone', body, wide: true }));
}

function addForm(csrf: string, error?: string): SafeHtml {
  return html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/account/phone">
<input type="hidden" name="csrf" value="${csrf}">
<label for="number">Phone number (international form)</label>
<input id="number" name="number" type="tel" autocomplete="tel" placeholder="+44 7700 900123" required>
<label for="channel">How to send codes</label>
<select id="channel" name="channel"><option value="sms">Text message</option><option value="voice">Phone call</option></select>
<button type="submit">Send a verification code</button>
</form>`;
}

function verifyForm(csrf: string, id: string, number: string, error?: string): SafeHtml {
  return html`<h1>Verify your number</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<p>Enter the 6-digit code sent to ${maskNumber(number)}.</p>
<form method="post" action="/account/phone/${id}/verify">
<input type="hidden" name="csrf" value="${csrf}">
<label for="code">6-digit code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="7" required>
<button type="submit">Verify</button>
</form>`;
}

/** Phone numbers for SMS / voice codes: verified at registration; a new number is a new registration. */
export async function accountPhoneRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;

  async function auth(request: FastifyRequest, reply: FastifyReply): Promise<PortalAuth | null> {
    const a = await portalAuth(ctx, request);
    if (!a) signinRedirect(reply, '/account/phone');
    return a;
  }

  async function overview(reply: FastifyReply, a: PortalAuth, error?: string, status = 200) {
    const phones = await listPhones(ctx.store.db, a.session.userId);
    return send(reply, html`<h1>Codes by text message or call</h1>
<p class="hint">${PHONE_WARNING}</p>
<ul>${phones.map((p) => html`<li data-phone="${p.id}">${p.channel === 'sms' ? 'Text message' : 'Phone call'} to ${maskNumber(p.number)}
<form method="post" action="/account/phone/${p.id}/remove"><input type="hidden" name="csrf" value="${a.csrf}"><button class="secondary" type="submit">Remove</button></form></li>`)}</ul>
<h2>Add a number</h2>
<p class="hint">To change your number, add the new one and remove the old one.</p>
${addForm(a.csrf, error)}
<p><a href="/account">Back</a></p>`, status);
  }

  app.get('/account/phone', async (request, reply) => {
    const a = await auth(request, reply);
    return a ? overview(reply, a) : reply;
  });

  app.post('/account/phone', async (request, reply) => {
    const a = await auth(request, reply);
    if (!a) return reply;
    if (!formCsrfValid(ctx, request)) return overview(reply, a, 'That form expired. Please try again.', 403);
    if (!(await mayEnrol(ctx, a.session))) return signinRedirect(reply, '/account/phone', true);
    const body = addBody.parse(request.body);
    try {
      const { phone, sent } = await startPhoneRegistration(ctx.store, senderFor(ctx.config), a.session.userId, body.channel, body.number, phoneCodeKey(ctx.config));
      if (!sent.ok) return overview(reply, a, 'Too many codes were sent recently. Wait a while and try again.', 429);
      return send(reply, verifyForm(a.csrf, phone.id, phone.number));
    } catch (err) {
      if (err instanceof MethodError) return overview(reply, a, err.message, err.code === 'invalid_settings' ? 403 : 400);
      throw err;
    }
  });

  app.post('/account/phone/:id/verify', async (request, reply) => {
    const a = await auth(request, reply);
    if (!a) return reply;
    const { id } = idParam.parse(request.params);
    if (!formCsrfValid(ctx, request)) return overview(reply, a, 'That form expired. Please try again.', 403);
    if (!(await mayEnrol(ctx, a.session))) return signinRedirect(reply, '/account/phone', true);
    const code = String((request.body as Record<string, unknown> | undefined)?.code ?? '').replace(/[\s-]/g, '');
    const r = await confirmPhoneRegistration(ctx.store, a.session.userId, id, code, { actor: `user:${a.session.userId}`, requestId: request.id, key: phoneCodeKey(ctx.config) });
    if (!r.ok) {
      const pending = await ctx.store.db.selectFrom('phone_numbers').select('number').where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
      if (!pending || r.reason === 'expired' || r.reason === 'locked') return overview(reply, a, 'That code expired or was tried too often. Start again.', 400);
      return send(reply, verifyForm(a.csrf, id, pending.number, 'That code is not right.'), 400);
    }
    // The code sent to the number proved possession of it: the session now rests on it too.
    const channel = (await ctx.store.db.selectFrom('phone_numbers').select('channel').where('id', '=', id).executeTakeFirst())?.channel;
    if (channel) await addProvenMethod(ctx.store.db, a.session, { method: channel });
    return reply.redirect('/account/phone', 303);
  });

  app.post('/account/phone/:id/remove', async (request, reply) => {
    const a = await auth(request, reply);
    if (!a) return reply;
    const { id } = idParam.parse(request.params);
    if (!formCsrfValid(ctx, request)) return overview(reply, a, 'That form expired. Please try again.', 403);
    if (!(await mayEnrol(ctx, a.session))) return signinRedirect(reply, '/account/phone', true);
    try {
      await removePhone(ctx.store, a.session.userId, id, { actor: `user:${a.session.userId}`, requestId: request.id });
    } catch (err) {
      if (!(err instanceof MethodError)) throw err;
    }
    return reply.redirect('/account/phone', 303);
  });
}
