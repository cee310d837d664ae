import { html, type SafeHtml } from '../../../html.ts';
import { transactionKey, type SigninTransaction } from '../../../../signin/transaction.ts';
import type { FormBody } from './page.ts';
import { action, csrfField } from './parts.ts';

/**
 * The pieces the WebAuthn pages share. A form marked data-webauthn is driven by
 * /static/signin-webauthn.js: it fetches options from data-options, runs the
 * browser's ceremony, puts the answer in the hidden "response" field and submits.
 */
export const WEBAUTHN_SCRIPT = '/static/signin-webauthn.js';

export function optionsUrl(t: SigninTransaction): string {
  return `/signin/${transactionKey(t)}/webauthn/options`;
}

/** The browser's answer, as posted by the script (JSON, larger than ordinary fields). */
export function responseField(body: FormBody): string {
  const v = body?.response;
  return typeof v === 'string' && v.length <= 64_000 ? v : '';
}

export function ceremonyForm(
  t: SigninTransaction,
  csrf: string,
  input: { action: string; mode: 'authenticate' | 'register'; conditional?: boolean; body: SafeHtml },
): SafeHtml {
  // Hidden until the script has taken it over: without it (or without WebAuthn in the browser) nothing here would work.
  return html`<form method="post" action="${action(t, input.action)}" data-webauthn="${input.mode}" data-options="${optionsUrl(t)}"${input.conditional ? html` data-conditional="1"` : ''} hidden>
${csrfField(csrf)}
<input type="hidden" name="response" value="">
${input.body}
<p class="error" role="alert" data-webauthn-error hidden></p>
</form>`;
}

export const noScript = html`<noscript><p class="hint">Security keys and passkeys need JavaScript in this browser. Turn it on, or use another method.</p></noscript>`;
