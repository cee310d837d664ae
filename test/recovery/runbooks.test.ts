import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { listUserMethods } from '../../src/methods/list.ts';
import { apiDriver, cliDriver, type Driver } from './drivers.ts';
import { signInNormally, signInWithPass } from './signin.ts';

/**
 * The three helpdesk runbooks end to end, each through the admin API and
 * through the CLI, on both engines: a real sign-in with the pass through the
 * pages, a new authenticator registered inside it, the old phone's methods
 * removed, a normal sign-in detected from the sign-in log, time to recover.
 */
const PASSWORD = 'marmalade harbour compass';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

async function sessionEnds(server: TestServer, userId: string): Promise<string[]> {
  const rows = await server.ctx.store.db.selectFrom('idp_sessions').select('absolute_expires_at').where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  return rows.map((r) => r.absolute_expires_at);
}

async function lostPhone(server: TestServer, d: Driver): Promise<void> {
  const { ctx } = server;
  const name = `${d.name}-lucy`;
  const lucy = await createUserWithPassword(ctx, name, PASSWORD);
  const oldTotp = await importTotp(ctx, lucy.id, { secretBase32: SECRET, label: 'Old phone app', actor: 'test' });
  const oldPhone = await d.addDevice(name, 'Lucy iPhone');
  await d.bind(oldPhone, 'totp', oldTotp.credentialId);

  const opened = await d.open(name, 'lost_phone', 'helen');
  assert.equal(opened.nextStep, 'verify_identity');
  await assert.rejects(d.step(opened.id, 'issue_tap', { operator: 'helen' }), /waits for step verify_identity/);
  await assert.rejects(d.step(opened.id, 'verify_identity', { skip: true, reason: 'in a hurry today' }), /cannot be skipped/);
  await d.step(opened.id, 'verify_identity', { operator: 'helen', method: 'callback_number_on_file', notes: 'called the number in HR records' });
  const issued = await d.step(opened.id, 'issue_tap', { operator: 'helen', lifetimeMinutes: 120 });
  assert.ok(issued.pass && /^[a-z2-9]{12}$/.test(issued.pass), 'the pass is shown once, here');
  await assert.rejects(d.step(opened.id, 'deliver_tap', { channel: 'email' }), /email is refused/);
  await d.step(opened.id, 'deliver_tap', { channel: 'phone_call', operator: 'helen' });
  await assert.rejects(d.step(opened.id, 'new_method_registered'), /no new sign-in method was registered/);

  const { browser, secret } = await signInWithPass(server.url, name, issued.pass!);
  const tap = await ctx.store.db.selectFrom('temporary_access_passes').select('expires_at').where('user_id', '=', lucy.id).executeTakeFirstOrThrow();
  const [ends] = await sessionEnds(server, lucy.id);
  assert.ok(ends! <= tap.expires_at, `the pass's session (${ends}) ends no later than the pass (${tap.expires_at})`);
  const me = JSON.parse((await browser.request('GET', '/api/me')).body) as { session: { acr: string } };
  assert.equal(me.session.acr, 'urn:tessera:acr:mfa');

  const newPhone = await d.addDevice(name, 'Lucy Pixel');
  const registered = await d.step(opened.id, 'new_method_registered', { deviceId: newPhone });
  const newMethods = registered.case.steps.at(-1)!.details.methods as Array<{ type: string; id: string }>;
  assert.deepEqual(newMethods.map((m) => m.type), ['totp']);

  const removed = await d.step(opened.id, 'old_device_removed', { deviceId: oldPhone });
  assert.equal(removed.case.steps.at(-1)!.details.deviceAction, 'reported_lost');
  const left = await listUserMethods(ctx.store.db, lucy.id);
  assert.deepEqual(left.filter((m) => m.type === 'totp').map((m) => m.id), [newMethods[0]!.id], 'only the old phone\'s app is gone');
  assert.equal((await browser.request('GET', '/api/me')).status, 401, 'every session was revoked with the lost phone');

  await assert.rejects(d.step(opened.id, 'signin_confirmed'), /no normal sign-in/);
  await signInNormally(server.url, name, PASSWORD, secret);
  await d.step(opened.id, 'signin_confirmed');
  const closed = (await d.step(opened.id, 'close', { notes: 'back in' })).case;
  assert.equal(closed.status, 'closed');
  assert.ok(closed.recoveredAt);
  assert.ok(closed.timeToRecoverSeconds !== null && closed.timeToRecoverSeconds >= 0);
  const shown = await d.show(opened.id);
  assert.deepEqual(
    shown.steps.map((s) => [s.step, s.outcome]),
    [['verify_identity', 'done'], ['issue_tap', 'done'], ['deliver_tap', 'refused'], ['deliver_tap', 'done'], ['new_method_registered', 'done'],
      ['old_device_removed', 'done'], ['signin_confirmed', 'done'], ['close', 'done']],
  );
  assert.equal(shown.steps[0]!.operator, 'helen');
  const alerts = await ctx.store.db.selectFrom('alerts').select('kind').where('user_id', '=', lucy.id).execute();
  assert.deepEqual(alerts.map((a) => a.kind), ['device.lost']);
  const audit = (await ctx.store.db.selectFrom('audit_log').select('action').where('target', '=', `case:${opened.id}`).orderBy('seq').execute()).map((a) => a.action);
  assert.deepEqual(audit, ['case.open', 'case.step.verify_identity', 'case.step.issue_tap', 'case.step.refused', 'case.step.deliver_tap',
    'case.step.new_method_registered', 'case.step.old_device_removed', 'case.step.signin_confirmed', 'case.step.close']);
}

async function plannedChange(server: TestServer, d: Driver): Promise<void> {
  const { ctx } = server;
  const name = `${d.name}-pete`;
  const pete = await createUserWithPassword(ctx, name, PASSWORD);
  const oldTotp = await importTotp(ctx, pete.id, { secretBase32: SECRET, label: 'Old phone app', actor: 'test' });
  const oldPhone = await d.addDevice(name, 'Pete old phone');
  await d.bind(oldPhone, 'totp', oldTotp.credentialId);
  const before = await signInNormally(server.url, name, PASSWORD, SECRET, 0);

  const c = await d.open(name, 'planned_phone_change', 'hugo');
  await d.step(c.id, 'verify_identity', { operator: 'hugo', method: 'video_call' });
  const issued = await d.step(c.id, 'issue_tap', { operator: 'hugo' });
  await d.step(c.id, 'deliver_tap', { channel: 'in_person' });
  const { secret } = await signInWithPass(server.url, name, issued.pass!);
  const newPhone = await d.addDevice(name, 'Pete new phone');
  await d.step(c.id, 'new_method_registered', { deviceId: newPhone });
  const removed = await d.step(c.id, 'old_device_removed', { deviceId: oldPhone });
  assert.equal(removed.case.steps.at(-1)!.details.deviceAction, 'retired');
  assert.deepEqual((removed.case.steps.at(-1)!.details.removedMethods as Array<{ id: string }>).map((m) => m.id), [oldTotp.credentialId]);
  assert.equal((await before.request('GET', '/api/me')).status, 200, 'a planned change signs nobody out');
  await signInNormally(server.url, name, PASSWORD, secret);
  await d.step(c.id, 'signin_confirmed');
  assert.equal((await d.step(c.id, 'close')).case.status, 'closed');
}

async function firstDevice(server: TestServer, d: Driver): Promise<void> {
  const { ctx } = server;
  const name = `${d.name}-nina`;
  const nina = await createUserWithPassword(ctx, name, PASSWORD);
  const c = await d.open(name, 'first_device', 'helen');
  assert.ok(!c.steps.length);
  await d.step(c.id, 'verify_identity', { operator: 'helen', method: 'in_person_id' });
  const issued = await d.step(c.id, 'issue_tap', { operator: 'helen', lifetimeMinutes: 60 });
  await d.step(c.id, 'deliver_tap', { channel: 'encrypted_message' });
  const { secret } = await signInWithPass(server.url, name, issued.pass!);
  const laptop = await d.addDevice(name, 'Nina work phone');
  const registered = await d.step(c.id, 'new_method_registered', { deviceId: laptop });
  assert.equal(registered.case.nextStep, 'signin_confirmed', 'a first device has no old one to remove');
  const bound = await ctx.store.db.selectFrom('totp_credentials').select(sql<string | null>`device_id`.as('device_id')).where('user_id', '=', nina.id).execute();
  assert.deepEqual(bound.map((b) => b.device_id), [laptop]);
  await signInNormally(server.url, name, PASSWORD, secret);
  await d.step(c.id, 'signin_confirmed');
  const closed = (await d.step(c.id, 'close')).case;
  assert.equal(closed.status, 'closed');
  const listed = await d.list(name);
  assert.deepEqual(listed.map((x) => [x.id, x.status]), [[c.id, 'closed']]);
  assert.ok(listed[0]!.timeToRecoverSeconds !== null);
  const tap = await ctx.store.db.selectFrom('temporary_access_passes').select(['status', 'use_count']).where('user_id', '=', nina.id).executeTakeFirstOrThrow();
  assert.deepEqual([tap.status, Number(tap.use_count)], ['used', 1]);
}

for (const engine of ENGINES) {
  test(`helpdesk runbooks end to end on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    await createUserWithPassword(server.ctx, 'helen', PASSWORD, ['helpdesk']);
    await createUserWithPassword(server.ctx, 'hugo', PASSWORD, ['helpdesk']);
    for (const make of [apiDriver, cliDriver]) {
      const d = await make(server);
      t.after(() => d.close());
      await t.test(`lost or broken phone, through the ${d.name}`, () => lostPhone(server, d));
      await t.test(`planned phone change, through the ${d.name}`, () => plannedChange(server, d));
      await t.test(`new employee, first device, through the ${d.name}`, () => firstDevice(server, d));
    }
  });
}
