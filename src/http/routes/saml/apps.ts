import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../../app/context.ts';
import { html, page } from '../../html.ts';
import { loadSession } from '../../../signin/session/sessions.ts';
import { storeUnsolicited } from '../../../protocols/saml/requests.ts';
import { findServiceProvider, listServiceProviderNames } from '../../../protocols/saml/service-providers.ts';
import { readSessionCookie } from '../signin/cookies.ts';
import { samlProblem } from './pages.ts';

/**
 * IdP-initiated sign-in: /saml/apps lists the SAML apps, and
 * /saml/launch/<name> signs the person in to one without the app asking
 * first. The launch stores a request of Tessera's own and continues at
 * /saml/continue/<handle>, so the sign-in pages (when there is no session),
 * the access decision and the once-only answer are the same as for an
 * SP-initiated sign-in. A launch from another site is not followed
 * straight away (it could sign someone in to an app they did not choose):
 * the person confirms it on a page of Tessera.
 */
export const launchParams = z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/) });
export const launchQuery = z.object({ RelayState: z.string().max(1024).optional(), confirmed: z.literal('1').optional() });

export async function appsPage(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const session = await loadSession(ctx.store.db, readSessionCookie(request, ctx.config), ctx.config.session);
  if (!session) return reply.redirect(`/signin?return_to=${encodeURIComponent('/saml/apps')}`, 303);
  const names = await listServiceProviderNames(ctx.store.db);
  reply.header('cache-control', 'no-store');
  return reply.type('text/html; charset=utf-8').send(page({
    title: 'Your apps',
    body: html`<h1>Your apps</h1>
${names.length
    ? html`<ul class="apps">${names.map((name) => html`<li><a class="button" href="/saml/launch/${name}?confirmed=1">${name}</a></li>`)}</ul>
<p class="hint">Your organisation's rules decide whether you may open an app when you choose it.</p>`
    : html`<p>No apps sign in through Tessera yet.</p>`}
<p><a href="/account">Your account</a></p>`,
  }));
}

export async function launch(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, name: string, query: z.infer<typeof launchQuery>): Promise<FastifyReply> {
  const sp = await findServiceProvider(ctx.store.db, name);
  if (!sp || sp.name !== name) return samlProblem(reply, 404, 'No such app', 'There is no app of that name here. Go to your apps and choose one.');
  const from = request.headers['sec-fetch-site'];
  if (from === 'cross-site' || (from !== 'same-origin' && query.confirmed !== '1')) {
    const again = `/saml/launch/${sp.name}?confirmed=1${query.RelayState === undefined ? '' : `&RelayState=${encodeURIComponent(query.RelayState)}`}`;
    reply.header('cache-control', 'no-store');
    return reply.type('text/html; charset=utf-8').send(page({
      title: 'Open an app',
      body: html`<h1>Open ${sp.name}?</h1>
<p>Another site sent you here to sign you in to <strong>${sp.name}</strong>. Continue only if you meant to open it.</p>
<p><a class="button" id="open-app" href="${again}">Open ${sp.name}</a></p>
<p><a href="/saml/apps">Your apps</a></p>`,
    }));
  }
  const handle = await storeUnsolicited(ctx.store.db, sp, query.RelayState ?? null);
  return reply.redirect(`/saml/continue/${handle}`, 303);
}
