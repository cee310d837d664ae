import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, type EngineName } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { issueTap } from '../../src/recovery/tap/index.ts';

/**
 * "Not you? Start again" ends the attempt of the person named so far: like
 * every sign-in that ends without tokens, it should leave one sign-in log row
 * saying where it stopped (a pass redeemed and then given up that way is
 * 'abandoned_after_pass'), written before the restart forgets the person.
 */
const PASSWORD = 'violet tangerine lighthouse';

async function rows(server: Awaited<ReturnType<typeof startTestServer>>, userId: string) {
  return server.ctx.store.db.selectFrom('signin_log').select(['result', 'reason']).where('user_id', '=', userId).execute();
}

async function afterPassword(engine: EngineName, t: { after(fn: () => Promise<void>): void }) {
  const server = await startTestServer(engine);
  t.after(() => server.close());
  const rita = await createUserWithPassword(server.ctx, 'rita', PASSWORD);
  await importTotp(server.ctx, rita.id, { secretBase32: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', actor: 'test' });
  const b = new Browserish(server.url);
  const { path, csrf, afterPassword } = await startPortalSignin(b, 'rita', PASSWORD);
  assert.equal(afterPassword.location, path, 'the code is asked next');
  assert.equal((await b.request('POST', `${path}/restart`, { csrf })).status, 303);
  const logged = await rows(server, rita.id);
  assert.equal(logged.length, 1, 'one row for the attempt the restart ended');
  assert.deepEqual({ ...logged[0]! }, { result: 'interrupted', reason: 'restarted_at_totp' });
}

async function afterPass(engine: EngineName, t: { after(fn: () => Promise<void>): void }) {
  const server = await startTestServer(engine);
  t.after(() => server.close());
  const sam = await createUserWithPassword(server.ctx, 'sam', PASSWORD);
  await createUserWithPassword(server.ctx, 'helen', PASSWORD, ['helpdesk']);
  const { pass } = await issueTap(server.ctx, { user: 'sam', operator: 'helen' }, { actor: 'test' });
  const b = new Browserish(server.url);
  const path = (await b.request('GET', '/signin?return_to=%2Faccount')).location!;
  const csrf = hiddenCsrf((await b.request('GET', path)).body);
  await b.request('POST', `${path}/username`, { csrf, username: 'sam' });
  await b.request('POST', `${path}/use-tap`, { csrf });
  assert.equal((await b.request('POST', `${path}/tap`, { csrf, code: pass })).status, 303);
  await b.request('POST', `${path}/restart`, { csrf });
  const logged = await rows(server, sam.id);
  assert.deepEqual(logged.filter((r) => r.result !== 'success').map((r) => ({ ...r })), [{ result: 'interrupted', reason: 'abandoned_after_pass' }]);
}

for (const engine of ENGINES) {
  test(`"Start again" after the password leaves a sign-in log row on ${engine}`, engineSkip(engine), (t) => afterPassword(engine, t));
  test(`"Start again" after a redeemed pass leaves abandoned_after_pass on ${engine}`, engineSkip(engine), (t) => afterPass(engine, t));
}
