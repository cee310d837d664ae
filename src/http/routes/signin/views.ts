import { html, type SafeHtml } from '../../html.ts';
import { transactionKey, type SigninTransaction } from '../../../signin/transaction.ts';

/** The sign-in pages: plain forms that work without JavaScript. */
export interface ViewInput {
  t: SigninTransaction;
  csrf: string;
  error?: string;
  appName?: string | null;
}

const action = (t: SigninTransaction, step: string) => `/signin/${transactionKey(t)}/${step}`;

function errorBox(error?: string): SafeHtml | string {
  return error ? html`<p class="error" role="alert" id="form-error">${error}</p>` : '';
}

function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

function whoBar(v: ViewInput): SafeHtml {
  return html`<p class="hint">Signing in as <strong>${v.t.usernameTyped ?? ''}</strong></p>
<form method="post" action="${action(v.t, 'restart')}">${csrfField(v.csrf)}<button type="submit" class="secondary">Not you? Start again</button></form>`;
}

function otherMethodLink(v: ViewInput): SafeHtml {
  return html`<form method="post" action="${action(v.t, 'choose')}">${csrfField(v.csrf)}<input type="hidden" name="method" value="">
<button type="submit" class="secondary">Use another method</button></form>`;
}

export function identifyView(v: ViewInput): SafeHtml {
  return html`<h1>Sign in${v.appName ? html` to ${v.appName}` : ''}</h1>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'username')}">
${csrfField(v.csrf)}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${v.t.usernameTyped ?? ''}">
<button type="submit">Next</button>
</form>`;
}

export function passwordView(v: ViewInput): SafeHtml {
  return html`<h1>Enter your password</h1>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'password')}">
${csrfField(v.csrf)}
<input type="text" name="username" autocomplete="username" value="${v.t.usernameTyped ?? ''}" hidden readonly>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required autofocus${v.error ? html` aria-describedby="form-error"` : ''}>
<button type="submit">Sign in</button>
</form>
${whoBar(v)}`;
}

export function totpView(v: ViewInput): SafeHtml {
  return html`<h1>Enter the code from your authenticator app</h1>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'totp')}">
${csrfField(v.csrf)}
<label for="code">6-digit code</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9 ]*" maxlength="10" autocomplete="one-time-code" required autofocus>
<button type="submit">Verify</button>
</form>
${otherMethodLink(v)}`;
}

export function backupCodeView(v: ViewInput): SafeHtml {
  return html`<h1>Enter a backup code</h1>
<p>Each backup code works once. You saved them when you set up your account.</p>
${errorBox(v.error)}
<form method="post" action="${action(v.t, 'backup-code')}">
${csrfField(v.csrf)}
<label for="code">Backup code</label>
<input id="code" name="code" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" maxlength="32" required autofocus>
<button type="submit">Verify</button>
</form>
${otherMethodLink(v)}`;
}

const METHOD_LABELS: Record<string, string> = {
  totp: 'Code from an authenticator app',
  backup_code: 'A backup code',
};

export function chooseView(v: ViewInput & { options: string[] }): SafeHtml {
  return html`<h1>Choose how to verify it's you</h1>
${errorBox(v.error)}
<ul class="choices">
${v.options.map(
  (m) => html`<li><form method="post" action="${action(v.t, 'choose')}">${csrfField(v.csrf)}
<input type="hidden" name="method" value="${m}"><button type="submit" class="secondary">${METHOD_LABELS[m] ?? m}</button></form></li>`,
)}
</ul>
<p class="hint">Lost access to all of these? Contact your helpdesk: they can verify you and issue a temporary pass.</p>`;
}

export function registerTotpView(v: ViewInput & { secret: string; qr: string; uri: string }): SafeHtml {
  const src = v.qr.startsWith('data:') ? v.qr : `data:image/svg+xml;base64,${Buffer.from(v.qr).toString('base64')}`;
  return html`<h1>Set up your authenticator app</h1>
<p>Your account needs a second factor before you can continue. Scan this QR code with an authenticator app, then enter the code it shows.</p>
${errorBox(v.error)}
<img class="qr" src="${src}" alt="QR code for your authenticator app">
<p>Can't scan? Enter this key in the app:</p>
<p class="secret" id="totp-secret">${v.secret}</p>
<form method="post" action="${action(v.t, 'register-totp')}">
${csrfField(v.csrf)}
<label for="code">Code from the app</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9 ]*" maxlength="10" autocomplete="one-time-code" required autofocus>
<button type="submit">Verify and continue</button>
</form>`;
}

export function failedView(v: ViewInput): SafeHtml {
  return html`<h1>Sign-in stopped</h1>
${errorBox(v.error ?? 'This sign-in cannot continue.')}
<form method="post" action="${action(v.t, 'restart')}">${csrfField(v.csrf)}<button type="submit">Start again</button></form>`;
}

export function expiredView(): SafeHtml {
  return html`<h1>This sign-in has expired</h1>
<p class="error" role="alert">For your security, sign-in pages stop working after 15 minutes or when opened in another browser.</p>
<p><a class="button" href="/account">Start again</a></p>`;
}
