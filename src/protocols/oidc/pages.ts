import type { KoaContextWithOIDC } from 'oidc-provider';
import { html, page, raw } from '../../http/html.ts';

/**
 * The few pages oidc-provider renders itself, in Tessera's layout instead of
 * the library's defaults (which load web fonts and inline styles).
 */
function send(ctx: KoaContextWithOIDC, title: string, body: ReturnType<typeof html>): void {
  ctx.type = 'html';
  ctx.body = page({ title, body });
}

/** Asks before signing out when an app sends the user to the logout endpoint. */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const app = ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
  // form is oidc-provider's own markup: a hidden form with its CSRF token.
  send(
    ctx,
    'Sign out',
    html`<h1>Sign out of Tessera?</h1>
${app ? html`<p>${app} asked to sign you out.</p>` : ''}
${raw(form)}
<button type="submit" form="op.logoutForm" value="yes" name="logout" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
  );
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  send(ctx, 'Signed out', html`<h1>You are signed out</h1>
<p class="notice" role="status">You can close this window.</p>`);
}

/** Errors shown to the browser; `out` holds only what is safe to show (error, description, state). */
export async function renderError(ctx: KoaContextWithOIDC, out: Record<string, unknown>): Promise<void> {
  const description = typeof out.error_description === 'string' ? out.error_description : undefined;
  const code = typeof out.error === 'string' ? out.error : 'error';
  send(
    ctx,
    'Sign-in problem',
    html`<h1>This sign-in cannot continue</h1>
<p class="error" role="alert">${description ?? 'The request was not valid.'}</p>
<p class="hint">Error code: ${code}. Go back to the app and start again.</p>`,
  );
}
