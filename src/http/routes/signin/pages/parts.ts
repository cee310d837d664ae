import { html, type SafeHtml } from '../../../html.ts';
import { transactionKey, type SigninTransaction } from '../../../../signin/transaction.ts';
import type { ViewInput } from './page.ts';

/** Pieces every sign-in page shares. */
export const action = (t: SigninTransaction, name: string) => `/signin/${transactionKey(t)}/${name}`;

export function errorBox(error?: string): SafeHtml | string {
  return error ? html`<p class="error" role="alert" id="form-error">${error}</p>` : '';
}

export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

export function whoBar(v: ViewInput): SafeHtml {
  return html`<p class="hint">Signing in as <strong>${v.t.usernameTyped ?? ''}</strong></p>
<form method="post" action="${action(v.t, 'restart')}">${csrfField(v.csrf)}<button type="submit" class="secondary">Not you? Start again</button></form>`;
}

export function otherMethodLink(v: ViewInput): SafeHtml {
  return html`<form method="post" action="${action(v.t, 'choose')}">${csrfField(v.csrf)}<input type="hidden" name="method" value="">
<button type="submit" class="secondary">Use another method</button></form>`;
}

export function qrImageSrc(qr: string): string {
  return qr.startsWith('data:') ? qr : `data:image/svg+xml;base64,${Buffer.from(qr).toString('base64')}`;
}

/** The one-time code field: digits, the platform's code autofill, and a clear label. */
export function codeInput(label: string, options: { numeric?: boolean; maxlength?: number } = {}): SafeHtml {
  const numeric = options.numeric ?? true;
  return html`<label for="code">${label}</label>
<input id="code" name="code"${numeric ? html` inputmode="numeric" pattern="[0-9 ]*"` : html` autocapitalize="none" spellcheck="false"`} maxlength="${options.maxlength ?? 10}" autocomplete="one-time-code" required autofocus>`;
}
