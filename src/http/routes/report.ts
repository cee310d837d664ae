import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { html, page, type SafeHtml } from '../html.ts';
import { csrfToken, csrfValid, isHttps } from './signin/cookies.ts';
import { checkReportLink, confirmReport, type Reporter } from '../../monitor/notify/report.ts';
import { REPORT_TEXT as T } from './report-texts.ts';

/**
 * The "this wasn't me" link of a notice e-mail. The link is /report?link=…
 * (a query string, which the request log leaves out). Opening it only shows
 * a confirmation: mail scanners fetch links, so a GET never uses one up. The
 * form posts back with a CSRF token tied to a cookie this page sets.
 */
const COOKIE = 'tessera_report';
const linkSchema = z.string().min(1).max(200);

const who = (request: FastifyRequest): Reporter => ({ ip: request.ip, userAgent: request.headers['user-agent']?.slice(0, 256) ?? null, requestId: request.id });

function send(reply: FastifyReply, status: number, heading: string, body: SafeHtml): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8')
    .send(page({ title: T.title, body: html`<h1>${heading}</h1>${body}` }));
}

const para = (text: string) => html`<p>${text}</p>`;

function refusal(reply: FastifyReply, kind: 'unknown' | 'used' | 'expired' | 'throttled'): FastifyReply {
  if (kind === 'used') return send(reply, 409, T.usedHeading, para(T.used));
  if (kind === 'expired') return send(reply, 410, T.expiredHeading, para(T.expired));
  if (kind === 'throttled') return send(reply, 429, T.throttledHeading, para(T.throttled));
  return send(reply, 404, T.unknownHeading, para(T.unknown));
}

export async function reportRoutes(app: FastifyInstance): Promise<void> {
  app.get('/report', async (request, reply) => {
    const link = linkSchema.safeParse((request.query as Record<string, unknown>).link);
    if (!link.success) return refusal(reply, 'unknown');
    const state = await checkReportLink(app.ctx.store, link.data, who(request));
    if (state.kind !== 'ok') return refusal(reply, state.kind);
    const secret = randomBytes(32).toString('base64url');
    reply.setCookie(COOKIE, secret, { httpOnly: true, secure: isHttps(app.ctx.config), sameSite: 'strict', path: '/report', maxAge: 30 * 60 });
    const about = T.about[state.link.notice_kind] ?? T.about.new_signin!;
    return send(reply, 200, T.askHeading, html`${para(T.ask(about))}${para(T.askWhat)}
<form method="post" action="/report">
<input type="hidden" name="csrf" value="${csrfToken(secret)}">
<input type="hidden" name="link" value="${link.data}">
<button type="submit" class="danger">${T.confirm}</button>
</form>
<p class="hint">${T.ignore}</p>`);
  });

  app.post('/report', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const link = linkSchema.safeParse(body.link);
    if (!link.success) return refusal(reply, 'unknown');
    if (!csrfValid(request.cookies[COOKIE], body.csrf)) return send(reply, 403, T.staleHeading, para(T.stale));
    const outcome = await confirmReport(app.ctx.store, link.data, who(request));
    if (outcome.kind !== 'reported') return refusal(reply, outcome.kind);
    reply.clearCookie(COOKIE, { path: '/report' });
    return send(reply, 200, T.doneHeading, html`${T.done.map(para)}`);
  });
}
