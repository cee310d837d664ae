import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { browserSkip, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { DEFAULT_POLICY_IDS } from '../../src/policy/defaults.ts';
import { apiDriver, cliDriver, type Driver } from './drivers.ts';
import { Person, type KeyKind, type PersonDevice } from './browser-person.ts';
import { mfaWasNeverOff } from './mfa-never-off.ts';

/**
 * The three seed runbooks (planned phone change, lost phone, new employee's
 * first device) end to end: the person in Chromium with virtual WebAuthn
 * authenticators (each device a page of its own), the helpdesk through the
 * CLI and the admin API, for a plain user, a helpdesk person and a global
 * admin, with the methods policy and the policies as shipped. Every run ends
 * with a normal sign-in with the new method, the old one removed, and MFA on
 * at every step (see mfa-never-off.ts).
 */
const PASSWORD = 'marmalade harbour compass';
const OLD_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

type Role = 'user' | 'helpdesk' | 'admin';
type Scenario = 'lost_phone' | 'planned_phone_change' | 'first_device';
type Method = KeyKind | 'totp';

const ROLES: Record<Role, string[]> = { user: [], helpdesk: ['helpdesk'], admin: ['global_admin'] };
/** What each person had: an app on the phone; a security key on the key ring; a passkey on the phone. */
const OLD: Record<Role, Method> = { user: 'totp', helpdesk: 'security_key', admin: 'passkey' };
/** What they register: where a key is needed, the sign-in offers only keys; a plain user's pass leads to an app. */
const NEW: Record<Scenario, Record<Role, Method>> = {
  lost_phone: { user: 'totp', helpdesk: 'security_key', admin: 'security_key' },
  planned_phone_change: { user: 'passkey', helpdesk: 'security_key', admin: 'passkey' },
  first_device: { user: 'totp', helpdesk: 'passkey', admin: 'security_key' },
};
const asKey = (m: Method) => (m === 'totp' ? null : m);
const signInWith = (m: Method): 'totp' | 'key' => (m === 'totp' ? 'totp' : 'key');

interface Env {
  server: TestServer;
  browser: TestBrowser;
  /** The helpdesk through the CLI and through the admin API. */
  cli: Driver;
  api: Driver;
  /** A second API token, hugo's: the one that issued a pass may not approve it, and an approval is its owner's. */
  approver: Driver;
}

async function newMethodsOf(d: Driver, username: string, before: string[]): Promise<Array<{ type: string; id: string }>> {
  return (await d.methods(username)).filter((m) => m.type !== 'password' && !before.includes(m.id));
}

async function runbook(env: Env, scenario: Scenario, role: Role): Promise<void> {
  const { server } = env;
  const { ctx } = server;
  const db = ctx.store.db;
  const name = `${scenario.split('_')[0]}-${role}`;
  // The CLI for the issue's own case (an admin's lost key), the API elsewhere: each CLI call starts a process.
  const d = role === 'admin' && scenario === 'lost_phone' ? env.cli : env.api;
  const privileged = role !== 'user';
  const { seq: startSeq } = await db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirstOrThrow();
  const user = await createUserWithPassword(ctx, name, PASSWORD, ROLES[role]);
  const person = new Person(env.browser, server.url, name, PASSWORD);
  const oldMethod = OLD[role];
  const newMethod = NEW[scenario][role];

  // Before: the method the person has had so far, on a device the helpdesk knows (a key ring has no device).
  let old: PersonDevice | null = null;
  let oldDeviceId: string | null = null;
  if (scenario !== 'first_device') {
    old = await person.device(asKey(oldMethod) ?? undefined);
    if (oldMethod === 'totp') {
      const app = await importTotp(ctx, user.id, { secretBase32: OLD_SECRET, label: 'Old phone app', actor: 'test' });
      old.totpSecret = OLD_SECRET;
      oldDeviceId = await d.addDevice(name, 'Old phone');
      await d.bind(oldDeviceId, 'totp', app.credentialId);
    } else {
      // Someone who must use a key registers one inside their first sign-in, after the password.
      await person.firstSignInRegisteringKey(old, oldMethod as KeyKind);
      if (oldMethod === 'passkey') {
        const [key] = await d.methods(name).then((ms) => ms.filter((m) => m.type === 'webauthn'));
        oldDeviceId = await d.addDevice(name, 'Old phone');
        await d.bind(oldDeviceId, 'webauthn', key!.id);
      }
    }
  }
  const before = (await d.methods(name)).filter((m) => m.type !== 'password');
  assert.equal(before.length, scenario === 'first_device' ? 0 : 1);
  const fresh = await person.device(asKey(newMethod) ?? undefined);

  let caseId: string;
  if (scenario === 'planned_phone_change') {
    // The old phone still works: no pass is needed. The person signs in with it and adds the new one.
    const c = await d.open(name, scenario, 'hugo');
    caseId = c.id;
    await d.step(caseId, 'verify_identity', { operator: 'hugo', method: 'video_call' });
    await d.step(caseId, 'issue_tap', { skip: true, reason: 'the old phone still works: no pass needed', operator: 'hugo' });
    await person.signInNormally(old!, signInWith(oldMethod));
    await person.addOnSecurityPage(fresh, newMethod, 'New phone');
  } else {
    if (old) {
      await person.signInNormally(old, signInWith(oldMethod));
      await old.page.close(); // lost: the phone (or the key) and what it holds are gone
      old = null;
    }
    // Without the old method, the password alone gets nobody in: MFA stays on while they wait for the helpdesk.
    if (scenario === 'lost_phone') await person.passwordAloneIsNotEnough(fresh);
    const c = await d.open(name, scenario, 'helen');
    caseId = c.id;
    await d.step(caseId, 'verify_identity', { operator: 'helen', method: scenario === 'lost_phone' ? 'callback_number_on_file' : 'in_person_id' });
    const issued = await d.step(caseId, 'issue_tap', { operator: 'helen', lifetimeMinutes: 60 });
    assert.ok(issued.pass);
    if (privileged) {
      assert.equal(issued.case.nextStep, 'approve_tap', 'a privileged account\'s pass waits for a second person');
      await assert.rejects(d.step(caseId, 'deliver_tap', { channel: 'phone_call' }), /waits for step approve_tap/);
      // Through the CLI, `case step … approve_tap --as hugo`; through the API, hugo's own token.
      const approved = await (d.name === 'cli' ? d : env.approver).step(caseId, 'approve_tap', { operator: 'hugo' });
      assert.equal(approved.case.steps.at(-1)!.operator, 'hugo');
    }
    await d.step(caseId, 'deliver_tap', { channel: scenario === 'lost_phone' ? 'phone_call' : 'in_person', operator: 'helen' });
    await person.signInWithPass(fresh, issued.pass!, newMethod);
  }

  const newDevice = await d.addDevice(name, 'New phone');
  const registered = await d.step(caseId, 'new_method_registered', { deviceId: newDevice });
  const added = registered.case.steps.at(-1)!.details.methods as Array<{ type: string; id: string }>;
  assert.deepEqual(added.map((m) => m.type), [newMethod === 'totp' ? 'totp' : 'webauthn']);
  assert.deepEqual(await newMethodsOf(d, name, before.map((m) => m.id)).then((ms) => ms.map((m) => m.id)), added.map((m) => m.id));

  if (scenario === 'first_device') {
    assert.equal(registered.case.nextStep, 'signin_confirmed', 'a first device has no old one to remove');
  } else {
    // The helpdesk finds the old method in the person's record; a device is retired or reported lost with what it holds.
    const oldOnes = (await d.methods(name)).filter((m) => m.type !== 'password' && !added.some((a) => a.id === m.id));
    assert.deepEqual(oldOnes.map((m) => m.id), before.map((m) => m.id));
    const removed = await d.step(caseId, 'old_device_removed', oldDeviceId
      ? { deviceId: oldDeviceId }
      : { credentials: oldOnes.map((m) => ({ type: m.type, id: m.id })) });
    const details = removed.case.steps.at(-1)!.details;
    assert.deepEqual((details.removedMethods as Array<{ id: string }>).map((m) => m.id), before.map((m) => m.id));
    if (oldDeviceId) assert.equal(details.deviceAction, scenario === 'lost_phone' ? 'reported_lost' : 'retired');
    // Lost, whether as a device or as methods named one by one: every session ends (the pass's too) and an
    // alert is raised. A planned change signs nobody out.
    if (!oldDeviceId && scenario === 'lost_phone') assert.ok(Number(details.sessionsRevoked) >= 1, 'the lost key\'s step ended the pass\'s session');
    const signedIn = (await fresh.page.request.get(`${server.url}/api/me`)).status();
    assert.equal(signedIn, scenario === 'lost_phone' ? 401 : 200);
    const alerts = await db.selectFrom('alerts').select(['kind', 'severity']).where('user_id', '=', user.id).where('kind', '=', 'device.lost').execute();
    assert.deepEqual(alerts.map((a) => [a.kind, a.severity]), scenario === 'lost_phone' ? [['device.lost', privileged ? 'high' : 'medium']] : []);
    if (old) {
      // A planned change: the old phone is still at hand, and no longer signs anyone in.
      if (oldMethod === 'totp') await person.totpIsRefused(old);
      else await person.keyIsRefused(old);
      await old.page.close();
    }
  }
  const left = (await d.methods(name)).filter((m) => m.type !== 'password');
  assert.deepEqual(left.map((m) => m.id), added.map((m) => m.id), 'only the new method is left');

  // Back to normal: password and the new method, nothing else.
  await person.signInNormally(fresh, signInWith(newMethod));
  const last = await db.selectFrom('signin_log').selectAll().where('user_id', '=', user.id).orderBy('at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
  assert.equal(last.result, 'success');
  assert.deepEqual(JSON.parse(last.methods_used), ['password', newMethod === 'totp' ? 'totp' : 'webauthn']);
  assert.equal(last.strength, privileged ? 'phishing_resistant_mfa' : newMethod === 'totp' ? 'mfa' : 'phishing_resistant_mfa');
  const me = (await (await fresh.page.request.get(`${server.url}/api/me`)).json()) as { session: { acr: string } };
  assert.equal(me.session.acr, privileged ? 'urn:tessera:acr:phishing-resistant' : newMethod === 'totp' ? 'urn:tessera:acr:mfa' : 'urn:tessera:acr:phishing-resistant');
  await d.step(caseId, 'signin_confirmed');
  const closed = (await d.step(caseId, 'close')).case;
  assert.equal(closed.status, 'closed');
  assert.ok(closed.recoveredAt);
  assert.equal(closed.openedBy, scenario === 'planned_phone_change' ? 'hugo' : 'helen', 'the case names who opened it, not the CLI or the token');
  await fresh.page.close();
  await mfaWasNeverOff(db, user.id, Number(startSeq ?? 0));
}

for (const engine of ENGINES) {
  test(`the helpdesk runbooks through the pages in Chromium on ${engine}`, { ...engineSkip(engine), ...browserSkip() }, async (t) => {
    // One browser for the nine runs (each opens pages of its own) and a server, closed in that order:
    // the browser's idle connections would otherwise hold the server's close for minutes.
    const browser = await launchBrowser();
    // The issuer is http://localhost: browsers refuse an IP address as the WebAuthn relying party id.
    const server = await startTestServer(engine, { issuer: 'http://localhost:0' });
    // The CLI's driver first: it gives the server the sealing key it shares with the CLI.
    const cli = cliDriver(server);
    const api = await apiDriver(server);
    t.after(async () => {
      await browser.close();
      await server.close();
      await cli.close();
    });
    await createUserWithPassword(server.ctx, 'helen', PASSWORD, ['helpdesk']);
    await createUserWithPassword(server.ctx, 'hugo', PASSWORD, ['helpdesk']);
    // The approving person's own token: a token approves as the person who owns it.
    const approver = await apiDriver(server, 'hugo');
    const db = server.ctx.store.db;
    const policies = await db.selectFrom('ca_policies').select(['id', 'state']).orderBy('id').execute();
    assert.deepEqual(policies.map((p) => [p.id, p.state]), Object.values(DEFAULT_POLICY_IDS).sort().map((id) => [id, 'enabled']), 'the policies as shipped');
    assert.deepEqual(await db.selectFrom('method_settings').select('method').execute(), [], 'the methods policy as shipped');
    const env: Env = { server, browser, cli, api, approver };
    for (const scenario of ['lost_phone', 'planned_phone_change', 'first_device'] as const) {
      for (const role of ['user', 'helpdesk', 'admin'] as const) {
        const who = role === 'user' ? 'a plain user' : role === 'admin' ? 'a global admin' : 'a helpdesk person';
        await t.test(`${scenario.replaceAll('_', ' ')}, ${who}`, () => runbook(env, scenario, role));
      }
    }
  });
}
