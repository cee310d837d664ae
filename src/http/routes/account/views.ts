import { html, type SafeHtml } from '../../html.ts';
import type { User } from '../../../directory/users.ts';
import type { SigninLogRow } from '../../../monitor/signin-log.ts';

export interface MethodRow {
  id: string;
  type: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface ActivityRow {
  at: string;
  /** The change in words (src/http/audit-words.ts), never its action code. */
  title: string;
}

const METHOD_NAMES: Record<string, string> = {
  password: 'Password',
  totp: 'Authenticator app',
  backup_code: 'Backup codes',
  webauthn: 'Security key or passkey',
  push: 'Tessera Authenticator (push)',
  sms: 'Text message (SMS)',
  voice: 'Voice call',
};

export const NOTICES: Record<string, string> = {
  totp_added: 'Authenticator app added.',
  removed: 'Method removed.',
  stepped_up: 'Verified. You can make changes for the next 10 minutes.',
  password_changed: 'Password changed. Every other browser and app signed in as you has been signed out.',
};

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '—');

function hidden(csrf: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

export function accountView(input: {
  user: User;
  methods: MethodRow[];
  signins: SigninLogRow[];
  activity: ActivityRow[];
  csrf: string;
  notice?: string;
  error?: string;
  recent: boolean;
  /** SAML apps the person can open from here (IdP-initiated sign-in). */
  apps?: string[];
}): SafeHtml {
  const { user, methods, csrf } = input;
  return html`<h1>Your security</h1>
<p>Signed in as <strong>${user.displayName ?? user.username}</strong> (${user.username})</p>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<h2>Sign-in methods</h2>
<table aria-label="Your sign-in methods">
<thead><tr><th scope="col">Method</th><th scope="col">Name</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>
${methods.map(
  (m) => html`<tr><td>${METHOD_NAMES[m.type] ?? m.type}</td><td>${m.label}</td><td>${when(m.createdAt)}</td><td>${when(m.lastUsedAt)}</td>
<td>${m.type === 'password' ? html`<a href="/account/password" aria-label="Change your password">Change</a>` : m.type === 'webauthn' ? html`<a href="/account/webauthn" aria-label="Manage ${m.label}">Manage</a>` : m.type === 'push' || m.type === 'sms' || m.type === 'voice' ? html`<a href="${m.type === 'push' ? '/account/push' : '/account/phone'}" aria-label="Manage ${m.label}">Manage</a>` : html`<form method="post" action="/account/methods/${m.type}/${m.id}/remove">${hidden(csrf)}<button type="submit" class="danger" aria-label="Remove ${METHOD_NAMES[m.type] ?? m.type} ${m.label}">Remove</button></form>`}</td></tr>`,
)}
</tbody>
</table>
<p><a class="button" href="/account/totp/new">Add an authenticator app</a></p>
<p><a class="button secondary" href="/account/webauthn">Security keys and passkeys</a></p>
<p><a class="button secondary" href="/account/push">Push sign-in (Tessera Authenticator)</a> <a href="/account/phone">Codes by text or call</a></p>
<form method="post" action="/account/backup-codes">${hidden(csrf)}<button type="submit" class="secondary">Get new backup codes</button></form>
<p><a href="/account/devices">Your devices</a>: lost a phone? Report it there at once.</p>
${input.apps?.length ? html`<h2>Apps</h2>
<ul aria-label="Apps you can open">${input.apps.map((name) => html`<li><a href="/saml/launch/${encodeURIComponent(name)}">${name}</a></li>`)}</ul>` : ''}
${input.recent ? '' : html`<p class="hint">Adding or removing a method asks you to verify with your second factor first.</p>`}
<h2>Recent sign-ins</h2>
<table aria-label="Your recent sign-ins">
<thead><tr><th scope="col">When</th><th scope="col">App</th><th scope="col">From</th><th scope="col">Result</th></tr></thead>
<tbody>
${input.signins.map((s) => html`<tr><td>${when(s.at)}</td><td>${s.clientId ?? 'Tessera'}</td><td>${s.ip ?? ''}</td><td>${s.result}</td></tr>`)}
</tbody>
</table>
<h2>Security changes</h2>
<ul>
${input.activity.map((a) => html`<li>${when(a.at)} — ${a.title}</li>`)}
</ul>
<form method="post" action="/signout">${hidden(csrf)}<button type="submit" class="secondary">Sign out</button></form>`;
}

export function totpEnrolView(input: { enrolmentId: string; secret: string; qr: string; csrf: string; error?: string }): SafeHtml {
  const src = input.qr.startsWith('data:') ? input.qr : `data:image/svg+xml;base64,${Buffer.from(input.qr).toString('base64')}`;
  return html`<h1>Add an authenticator app</h1>
<p>Scan this QR code with your authenticator app, then enter the code it shows.</p>
${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
<img class="qr" src="${src}" alt="QR code for your authenticator app">
<p>Can't scan? Enter this key in the app:</p>
<p class="secret" id="totp-secret">${input.secret}</p>
<form method="post" action="/account/totp/${input.enrolmentId}">
${hidden(input.csrf)}
<label for="label">Name for this app (optional)</label>
<input id="label" name="label" maxlength="64" placeholder="e.g. Work phone">
<label for="code">Code from the app</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9 ]*" maxlength="10" autocomplete="one-time-code" required autofocus>
<button type="submit">Verify and add</button>
</form>
<p><a href="/account">Cancel</a></p>`;
}

export function backupCodesView(codes: string[]): SafeHtml {
  return html`<h1>Your new backup codes</h1>
<p class="notice" role="status">Your old backup codes no longer work.</p>
<p>Keep these somewhere safe, such as a password manager or printed in a locked drawer. Each works once. They are shown only now.</p>
<ul class="codes" aria-label="Backup codes">${codes.map((c) => html`<li>${c}</li>`)}</ul>
<p><a class="button" href="/account">Done</a></p>`;
}
