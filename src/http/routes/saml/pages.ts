import type { FastifyReply } from 'fastify';
import { contentSecurityPolicy } from '../../csp.ts';
import { html, page } from '../../html.ts';

/** The few pages of SAML sign-in: the hand-over to the app, and a refusal. */

/**
 * The HTTP-POST binding: a form that carries the signed response to the SP's
 * ACS URL, sent by a small script (none inline) or by the button without one.
 * Its CSP lets a form go to that one URL only.
 */
export function postToApp(reply: FastifyReply, acsUrl: string, samlResponse: string, relayState: string | null): FastifyReply {
  reply.header('content-security-policy', contentSecurityPolicy([new URL(acsUrl).origin]));
  reply.header('cache-control', 'no-store');
  return reply.type('text/html; charset=utf-8').send(
    page({
      title: 'Signing in',
      scripts: ['/static/saml-post.js'],
      body: html`<h1>Signing you in…</h1>
<form method="post" action="${acsUrl}" id="saml-post">
<input type="hidden" name="SAMLResponse" value="${samlResponse}">
${relayState === null ? '' : html`<input type="hidden" name="RelayState" value="${relayState}">`}
<p>If nothing happens, <button type="submit">continue to the app</button>.</p>
</form>`,
    }),
  );
}

/** A SAML request or sign-in that cannot go on: the reason, in words, with a 4xx. */
export function samlProblem(reply: FastifyReply, status: 400 | 403 | 404 | 413, heading: string, reason: string): FastifyReply {
  reply.header('cache-control', 'no-store');
  return reply.status(status).type('text/html; charset=utf-8').send(
    page({
      title: heading,
      body: html`<h1>${heading}</h1>
<p class="error" role="alert">${reason}</p>
<p><a class="button" href="/account">Go to your account</a></p>`,
    }),
  );
}
