import { html, type SafeHtml } from '../../html.ts';
import type { WebauthnCredential } from '../../../methods/webauthn/index.ts';

export const WEBAUTHN_NOTICES: Record<string, string> = {
  added: 'Security key or passkey added.',
  renamed: 'Renamed.',
  removed: 'Removed.',
};

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '—');

function hidden(csrf: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

function describe(c: WebauthnCredential): string {
  const kind = c.kind === 'passkey' ? 'Passkey' : 'Security key';
  const storage = c.storage === 'synced' ? 'synced across devices' : 'bound to one device';
  return `${kind} · ${c.authenticator ?? 'unknown model'} · ${storage}`;
}

/** The security keys and passkeys page: each with its details, rename and remove; and adding one. */
export function webauthnView(input: { credentials: WebauthnCredential[]; csrf: string; recent: boolean; notice?: string; error?: string }): SafeHtml {
  const { csrf } = input;
  return html`<h1>Security keys and passkeys</h1>
<p>Phishing-resistant: they only work on this site, so a look-alike page cannot use them.</p>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<ul class="keys" aria-label="Your security keys and passkeys">
${input.credentials.map(
  (c) => html`<li data-credential="${c.id}">
<p><strong>${c.name}</strong><br><span class="hint">${describe(c)}</span><br>
<span class="hint">Added ${when(c.createdAt)} · last used ${when(c.lastUsedAt)}${c.transports.length ? ` · ${c.transports.join(', ')}` : ''}</span></p>
<form method="post" action="/account/webauthn/${c.id}/rename">${hidden(csrf)}
<label for="name-${c.id}">New name</label><input id="name-${c.id}" name="name" maxlength="64" required value="${c.name}">
<button type="submit" class="secondary">Rename</button></form>
<form method="post" action="/account/webauthn/${c.id}/remove">${hidden(csrf)}<button type="submit" class="danger" aria-label="Remove ${c.name}">Remove</button></form>
</li>`,
)}
</ul>
${input.credentials.length ? '' : html`<p>You have none yet.</p>`}
<h2>Add one</h2>
${input.recent
  ? html`<form method="post" action="/account/webauthn" data-webauthn="register" data-options="/api/me/webauthn/options" hidden>
${hidden(csrf)}
<input type="hidden" name="response" value="">
<label for="new-name">Name (optional)</label>
<input id="new-name" name="name" maxlength="64" placeholder="e.g. Work laptop, blue security key">
<button type="button" data-webauthn-start data-kind="passkey">Create a passkey</button>
<button type="button" class="secondary" data-webauthn-start data-kind="security_key">Add a security key</button>
<p class="error" role="alert" data-webauthn-error hidden></p>
</form>
<noscript><p class="hint">Adding a security key or passkey needs JavaScript in this browser.</p></noscript>`
  : html`<p class="hint">Adding one asks you to verify it's you first.</p><p><a class="button" href="/signin?return_to=%2Faccount%2Fwebauthn&amp;step_up=1">Verify</a></p>`}
<p><a href="/account">Back to your security page</a></p>`;
}
