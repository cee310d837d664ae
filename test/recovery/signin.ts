import assert from 'node:assert/strict';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { totpCode } from '../support/fixtures.ts';

/**
 * A person signing in through the real pages, without JavaScript: username,
 * "Use a Temporary Access Pass", the pass, then the registration interrupt
 * with a new authenticator app. Returns the browser (signed in) and the new
 * app's secret.
 */
export async function signInWithPass(base: string, username: string, pass: string): Promise<{ browser: Browserish; secret: string }> {
  const b = new Browserish(base);
  const start = await b.request('GET', '/signin?return_to=%2Faccount');
  const path = start.location!;
  const csrf = hiddenCsrf((await b.request('GET', path)).body);
  await b.request('POST', `${path}/username`, { csrf, username });
  const passwordPage = await b.request('GET', path);
  assert.match(passwordPage.body, /Use a Temporary Access Pass/);
  await b.request('POST', `${path}/use-tap`, { csrf });
  const tapPage = await b.request('GET', path);
  assert.match(tapPage.body, /autocomplete="one-time-code"/);
  const afterPass = await b.request('POST', `${path}/tap`, { csrf, code: pass });
  assert.equal(afterPass.status, 303, `the pass is accepted: ${afterPass.body.slice(0, 400)}`);
  const register = await b.request('GET', path);
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(register.body)?.[1];
  assert.ok(secret, `the registration interrupt follows the pass: ${register.body.slice(0, 600)}`);
  const done = await b.request('POST', `${path}/register-totp`, { csrf, code: totpCode(secret) });
  assert.equal(done.status, 303, done.body.slice(0, 400));
  assert.equal(done.location, '/account');
  return { browser: b, secret };
}

/** A normal sign-in: password, then a code from the (new) authenticator app. */
export async function signInNormally(base: string, username: string, password: string, secret: string, offsetSteps = 1): Promise<Browserish> {
  const b = new Browserish(base);
  const { path, csrf, afterPassword } = await startPortalSignin(b, username, password);
  assert.equal(afterPassword.location, path, 'a second factor is asked');
  const done = await b.request('POST', `${path}/totp`, { csrf, code: totpCode(secret, offsetSteps) });
  assert.equal(done.location, '/account', done.body.slice(0, 400));
  return b;
}
