// Drives every form marked data-webauthn (sign-in pages and the security page):
// fetch the options for this step from data-options, run the browser's WebAuthn
// ceremony, put the answer in the hidden "response" field and submit the form.
// A form with data-conditional also offers passkeys in the username field's
// autofill (conditional mediation) as soon as the page loads.
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
} from '/static/vendor/simplewebauthn-browser.js';

const MESSAGES = {
  NotAllowedError: 'The request was cancelled or timed out. Try again.',
  InvalidStateError: 'This security key or passkey is already registered.',
  SecurityError: 'This page cannot use security keys or passkeys (check the address).',
};

function csrfOf(form) {
  return form.querySelector('input[name="csrf"]')?.value ?? '';
}

function showError(form, message) {
  const box = form.querySelector('[data-webauthn-error]');
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
}

async function fetchOptions(form, kind) {
  const res = await fetch(form.dataset.options, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfOf(form) },
    body: JSON.stringify({ csrf: csrfOf(form), ...(kind ? { kind } : {}) }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.message ?? 'This page expired. Reload it and try again.');
  return body.options;
}

function submitWith(form, response) {
  form.querySelector('input[name="response"]').value = JSON.stringify(response);
  form.submit();
}

async function run(form, button) {
  const kind = button?.dataset.kind;
  for (const b of form.querySelectorAll('[data-webauthn-start]')) b.disabled = true;
  try {
    const optionsJSON = await fetchOptions(form, kind);
    const response = form.dataset.webauthn === 'register'
      ? await startRegistration({ optionsJSON })
      : await startAuthentication({ optionsJSON });
    submitWith(form, response);
  } catch (err) {
    showError(form, MESSAGES[err?.name] ?? MESSAGES[err?.cause?.name] ?? err?.message ?? 'That did not work. Try again.');
    for (const b of form.querySelectorAll('[data-webauthn-start]')) b.disabled = false;
  }
}

async function offerAutofill(form) {
  if (!(await browserSupportsWebAuthnAutofill())) return;
  try {
    const optionsJSON = await fetchOptions(form);
    const response = await startAuthentication({ optionsJSON, useBrowserAutofill: true });
    submitWith(form, response);
  } catch {
    // Aborted (the person pressed a button instead) or dismissed: the page works as before.
  }
}

if (browserSupportsWebAuthn()) {
  for (const form of document.querySelectorAll('form[data-webauthn]')) {
    form.hidden = false;
    for (const button of form.querySelectorAll('[data-webauthn-start]')) {
      button.addEventListener('click', () => run(form, button));
    }
    if (form.dataset.conditional) offerAutofill(form);
  }
}
