import { test } from 'node:test';
import { startCallbackServer } from '../support/relying-party.ts';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { createClient } from '../../src/protocols/oidc/clients.ts';
import { deletePolicy, savePolicy } from '../../src/policy/store/policies.ts';
import { approveDowngrade, requestDowngrade } from '../../src/policy/store/downgrades.ts';
import { DowngradeNeedsApprovalError } from '../../src/policy/store/downgrade-gate.ts';
import { saveNamedLocation } from '../../src/policy/store/bundle.ts';

/**
 * The one access decision holds at every grant point: for each kind of policy,
 * a fresh sign-in, reuse of a live session from another app, and a refresh
 * token issued before the policy, through Chromium and openid-client.
 */
const rp = await startCallbackServer();
const { callbacks } = rp;
const APP = rp.origin;
const REDIRECT = rp.redirectUri;
const PASSWORD = 'violet tangerine lighthouse';
const by = { actor: 'user:admin' };
const confirm = { confirmLockout: 'test: the policy is meant to refuse' };

type Expect = 'step_up' | 'blocked' | 'code';

/** Ends a case's policy; removing one that asked more of someone is a downgrade, approved by a second admin. */
async function removePolicy(store: Parameters<typeof deletePolicy>[0], name: string): Promise<void> {
  try {
    await deletePolicy(store, name, by);
  } catch (err) {
    if (!(err instanceof DowngradeNeedsApprovalError)) throw err;
    const req = await requestDowngrade(store, { change: { kind: 'delete', policy: name }, reason: 'test: the case is over', confirmLockout: 'test' }, by);
    await approveDowngrade(store, req.id, { actor: 'user:second-admin' });
  }
}

async function authorize(page: Page, config: oidc.Configuration) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope: 'openid offline_access', prompt: 'consent', state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  await page.goto(url.href);
  return { state, verifier };
}

/** Where the browser ended up: back at the app with a code, at a step-up page, or at the refusal. */
async function landed(page: Page, state: string): Promise<Expect | 'signin'> {
  await page.waitForLoadState('load');
  if (callbacks.some((c) => c.searchParams.get('state') === state && c.searchParams.has('code'))) return 'code';
  if (await page.$('#blocked-reason')) return 'blocked';
  if (await page.$('#totp-secret, input[autocomplete="one-time-code"]')) return 'step_up';
  return 'signin';
}

async function typeCredentials(page: Page) {
  await page.fill('#username', 'alice');
  await page.click('button[type="submit"]');
  await page.fill('input[autocomplete="current-password"]', PASSWORD);
  await page.click('button:has-text("Sign in")');
}

const refusedGrant = (code: string) => (err: unknown) => (err as { error?: string }).error === code;

for (const engine of ENGINES) {
  test(`one access decision at every grant point on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    const server: TestServer = await startTestServer(engine);
    const browser: TestBrowser = await launchBrowser();
    t.after(async () => {
      await browser.close();
      await server.close();
    });
    const { store } = server.ctx;
    const app = async (clientId: string, grantTypes: Array<'authorization_code' | 'refresh_token' | 'client_credentials'> = ['authorization_code', 'refresh_token']) => {
      const redirectUris = grantTypes.includes('authorization_code') ? [REDIRECT] : [];
      const { clientSecret } = await createClient(store, { clientId, name: clientId, redirectUris, grantTypes }, by);
      return oidc.discovery(new URL(server.url), clientId, clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    };
    const appA = await app('app-a');
    const appB = await app('app-b');
    const alice = await createUserWithPassword(server.ctx, 'alice', PASSWORD);
    await saveNamedLocation(store, { name: 'Loopback', ipRanges: ['127.0.0.0/8'] }, by);
    const page = await browser.context.newPage();
    const lastLog = async () => (await store.db.selectFrom('signin_log').selectAll().where('user_id', '=', alice.id).orderBy('at', 'desc').limit(1).execute())[0]!;

    /** Signs in to app A with the password alone (no policy asks more of alice yet); returns its refresh token. */
    async function signInToA(): Promise<string> {
      await page.context().clearCookies();
      const { state, verifier } = await authorize(page, appA);
      await typeCredentials(page);
      await page.waitForURL((u) => u.href.startsWith(`${APP}/`), { timeout: 15_000 });
      const callback = callbacks.findLast((c) => c.searchParams.get('state') === state)!;
      const tokens = await oidc.authorizationCodeGrant(appA, callback, { pkceCodeVerifier: verifier, expectedState: state });
      assert.deepEqual(tokens.claims()!.amr, ['pwd']);
      return tokens.refresh_token!;
    }

    type PolicyInput = Parameters<typeof savePolicy>[1];
    const cases: Array<{ name: string; policy: Omit<PolicyInput, 'name' | 'state'>; target: 'A' | 'B'; expect: Expect; refresh: 'ok' | 'refused' }> = [
      { name: 'app B requires mfa', target: 'B', expect: 'step_up', refresh: 'ok',
        policy: { assignments: { users: { include: 'all' }, apps: { include: ['app-b'] } }, grant: { strength: 'mfa' } } },
      { name: 'app B blocked', target: 'B', expect: 'blocked', refresh: 'ok',
        policy: { assignments: { users: { include: 'all' }, apps: { include: ['app-b'] } }, grant: { block: true } } },
      { name: 'named location 127.0.0.0/8 blocked', target: 'A', expect: 'blocked', refresh: 'refused',
        policy: { assignments: { users: { include: 'all' } }, conditions: { locations: { include: ['Loopback'] } }, grant: { block: true } } },
      { name: 'app A requires a compliant device', target: 'A', expect: 'blocked', refresh: 'refused',
        policy: { assignments: { users: { include: 'all' }, apps: { include: ['app-a'] } }, grant: { compliantDevice: true } } },
    ];

    for (const c of cases) {
      await t.test(`${c.name}: fresh sign-in, live session, refresh token from before`, async () => {
        const refreshToken = await signInToA();
        await savePolicy(store, { name: c.name, state: 'enabled', ...c.policy }, by, confirm);
        try {
          const target = c.target === 'A' ? appA : appB;
          const reuse = await authorize(page, target);
          // A step-up of a password-only session asks for the password again first (then registration).
          const reused = await landed(page, reuse.state);
          assert.equal(reused === 'signin' && c.expect === 'step_up' ? 'step_up' : reused, c.expect, 'reusing the live session');
          const refresh = oidc.refreshTokenGrant(appA, refreshToken);
          if (c.refresh === 'ok') await refresh;
          else {
            await assert.rejects(refresh, refusedGrant('invalid_grant'));
            const row = await lastLog();
            assert.deepEqual([row.result, row.client_id], ['failure', 'app-a']);
            assert.match(row.reason, /^refresh_/);
          }
          await page.context().clearCookies();
          const fresh = await authorize(page, target);
          await typeCredentials(page);
          assert.equal(await landed(page, fresh.state), c.expect, 'a fresh sign-in');
        } finally {
          await removePolicy(store, c.name);
        }
      });
    }

    await t.test('a refresh after a policy raised what the app needs is refused: a refresh cannot step up', async () => {
      const refreshToken = await signInToA();
      await savePolicy(store, { name: 'A needs MFA', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['app-a'] } }, grant: { strength: 'mfa' } }, by);
      try {
        await assert.rejects(oidc.refreshTokenGrant(appA, refreshToken), refusedGrant('invalid_grant'));
        assert.equal((await lastLog()).reason, 'refresh_strength_not_met');
      } finally {
        await removePolicy(store, 'A needs MFA');
      }
    });

    await t.test('the account portal is an app too: a live session from app A does not reach it past a policy', async () => {
      await signInToA();
      await page.goto(`${server.url}/account`);
      await page.waitForSelector('text=Signed in as');
      await savePolicy(store, { name: 'No portal', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['tessera:portal'] } }, grant: { block: true } }, by, confirm);
      try {
        await page.goto(`${server.url}/account`);
        await page.waitForSelector('#blocked-reason');
        const api = await page.evaluate(async () => (await fetch('/api/me')).status);
        assert.equal(api, 401, 'the self-service API refuses the session too');
      } finally {
        await removePolicy(store, 'No portal');
      }
      await page.goto(`${server.url}/account`);
      await page.waitForSelector('text=Signed in as');
    });

    await t.test('sign-in frequency holds on session reuse and on refresh', async () => {
      const refreshToken = await signInToA();
      await savePolicy(store, { name: 'Hourly', state: 'enabled', assignments: { users: { include: 'all' } }, session: { signInFrequencyHours: 1 } }, by);
      try {
        const ok = await authorize(page, appB);
        assert.equal(await landed(page, ok.state), 'code', 'within the hour the session is reused');
        const past = new Date(Date.now() - 2 * 3600_000).toISOString();
        await store.db.updateTable('idp_sessions').set({ auth_time: past }).where('user_id', '=', alice.id).execute();
        await store.db.updateTable('oidc_session_proofs').set({ auth_time: past }).where('user_id', '=', alice.id).execute();
        const stale = await authorize(page, appB);
        assert.equal(await landed(page, stale.state), 'signin', 'after it, the sign-in pages ask again');
        await assert.rejects(oidc.refreshTokenGrant(appA, refreshToken), refusedGrant('invalid_grant'));
        assert.equal((await lastLog()).reason, 'refresh_sign_in_frequency_elapsed');
      } finally {
        await removePolicy(store, 'Hourly');
      }
    });

    await t.test('a report-only policy on the reuse path is recorded and changes nothing', async () => {
      await signInToA();
      await savePolicy(store, { name: 'Trial block of B', state: 'reportOnly', assignments: { users: { include: 'all' }, apps: { include: ['app-b'] } }, grant: { block: true } }, by);
      try {
        const flow = await authorize(page, appB);
        assert.equal(await landed(page, flow.state), 'code');
        const row = await lastLog();
        assert.deepEqual([row.result, row.reason, row.client_id], ['success', 'session_reused', 'app-b']);
        assert.deepEqual(JSON.parse(row.report_only!), [{ policyId: JSON.parse(row.report_only!)[0].policyId, name: 'Trial block of B', wouldBe: 'block' }]);
      } finally {
        await removePolicy(store, 'Trial block of B');
      }
    });

    await t.test('client credentials of a service that a policy targets are refused', async () => {
      const svc = await app('reporting', ['client_credentials']);
      await oidc.clientCredentialsGrant(svc, { scope: '' });
      await savePolicy(store, {
        name: 'No reporting jobs from loopback', state: 'enabled', assignments: { users: { include: 'all' }, apps: { include: ['reporting'] } },
        conditions: { clientTypes: ['service'], locations: { include: ['Loopback'] } }, grant: { block: true },
      }, by, confirm);
      try {
        await assert.rejects(oidc.clientCredentialsGrant(svc, { scope: '' }), refusedGrant('unauthorized_client'));
        const row = (await store.db.selectFrom('signin_log').selectAll().where('client_id', '=', 'reporting').execute()).at(-1)!;
        assert.deepEqual([row.result, row.reason], ['failure', 'service_policy_blocked']);
      } finally {
        await removePolicy(store, 'No reporting jobs from loopback');
      }
      await oidc.clientCredentialsGrant(svc, { scope: '' });
    });
  });
}
