import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { html, page } from '../../html.ts';
import type { SigninTransaction } from '../../../signin/transaction.ts';
import { csrfToken } from './cookies.ts';
import { pageFor } from './pages/index.ts';
import { contentSecurityPolicy } from '../../csp.ts';
import { pageApp } from '../../../protocols/oidc/form-targets.ts';

/**
 * Renders the page for the transaction's current step. Its forms may end at the
 * transaction's app (the last step redirects there), so the page's form-action
 * names that app's places, and no other app's.
 */
export async function renderStep(
  ctx: AppContext,
  reply: FastifyReply,
  t: SigninTransaction,
  bindingSecret: string,
  error?: string,
  status = 200,
): Promise<FastifyReply> {
  const stepPage = pageFor(t.step);
  // The app the sign-in is for: its display name on the page, its places in the page's form-action.
  const app = await pageApp(ctx.store.db, t.clientId);
  const body = await stepPage.render(ctx, { t, csrf: csrfToken(bindingSecret), error, appName: app.name });
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', contentSecurityPolicy(app.formTargets))
    .send(page({ title: stepPage.title, body, scripts: stepPage.scripts }));
}

export function expired(reply: FastifyReply): FastifyReply {
  return reply.status(400).type('text/html; charset=utf-8').send(
    page({
      title: 'Sign-in expired',
      body: html`<h1>This sign-in has expired</h1>
<p class="error" role="alert">For your security, sign-in pages stop working after 15 minutes or when opened in another browser.</p>
<p><a class="button" href="/account">Start again</a></p>`,
    }),
  );
}
