import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { createContext, type AppContext } from '../../src/app/context.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { issuePushEnrolment } from '../../src/methods/push/enrol.ts';
import { enrolmentLink } from '../../src/http/routes/account/push.ts';
import { addRadiusClient } from '../../src/protocols/radius/clients.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { grantRole } from '../../src/directory/role-grants.ts';
import { createTestDatabase, engineSkip } from '../support/engines.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { freePort } from '../support/postgres-server.ts';
import { freeUdpPort } from '../support/udp-port.ts';
import { haproxySkip, startHaproxy } from '../support/haproxy.ts';
import { quoted, radclientSkip, radius } from '../radius/support.ts';
import { authenticator, pendingJson } from '../push/support.ts';
import { cliEnv, runCli } from '../foundation/support.ts';
import { startServeProcess, type ServeProcess } from '../support/serve-process.ts';
import { waitUntil, writeLoad } from '../support/write-load.ts';

/**
 * Two Tessera nodes on one PostgreSQL behind HAProxy, as a production site
 * runs them: one flow's requests land on both nodes, a push is approved
 * through whichever node the authenticator reaches, a RADIUS challenge sent
 * by one node is answered on the other, and killing a node with -9 in the
 * middle of a burst loses no write that was acknowledged.
 */
const PASSWORD = 'violet tangerine lighthouse';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const RADIUS_SECRET = 'a radius secret for the load balancer test';

interface Node { name: string; radiusPort: number; server: ServeProcess }

async function startNode(name: string, env: NodeJS.ProcessEnv): Promise<Node> {
  const radiusPort = await freeUdpPort();
  const server = await startServeProcess(env, { extraEnv: { TESSERA_RADIUS_PORT: String(radiusPort), TESSERA_RADIUS_HOST: '127.0.0.1' } });
  return { name, radiusPort, server };
}

const skip = engineSkip('postgres').skip ?? haproxySkip().skip ?? radclientSkip().skip;

test('two nodes behind HAProxy on one PostgreSQL', { skip }, async (t) => {
  const db = await createTestDatabase('postgres');
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-lb-'));
  const lbPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...cliEnv(db, dataDir), TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), TESSERA_ISSUER: `http://127.0.0.1:${lbPort}`,
    TESSERA_TRUST_PROXY: 'true', TESSERA_LOG_LEVEL: 'warn',
  };
  const nodes: Node[] = [];
  let ctx: AppContext | null = null;
  let lb: Awaited<ReturnType<typeof startHaproxy>> | null = null;
  t.after(async () => {
    await lb?.close();
    for (const n of nodes) await n.server.kill();
    await ctx?.store.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  ctx = await createContext(loadConfig(env), {});
  const alice = await createUserWithPassword(ctx, 'alice', PASSWORD);
  await importTotp(ctx, alice.id, { secretBase32: SEED, actor: 'test' });
  const nora = await createUserWithPassword(ctx, 'nora', PASSWORD);
  const ops = await createUserWithPassword(ctx, 'ops', PASSWORD);
  await grantRole(ctx.store, ops.id, 'global_admin', { actor: 'test' });
  await addRadiusClient(ctx.store, ctx.secrets, { name: 'vpn', address: '127.0.0.1', secret: RADIUS_SECRET }, { actor: 'test' });
  // One at a time, so that a node that started is stopped by t.after even if the next one fails to start.
  nodes.push(await startNode('a', env));
  nodes.push(await startNode('b', env));
  lb = await startHaproxy(lbPort, nodes.map((n) => ({ name: n.name, port: n.server.port })));
  const base = lb.url;

  await t.test('a sign-in through the balancer: its steps land on both nodes and it completes', async () => {
    const b = new Browserish(base);
    const seen = new Set<string>();
    b.observe = (h) => void (h.get('x-tessera-node') && seen.add(h.get('x-tessera-node')!));
    const { path, csrf, afterPassword } = await startPortalSignin(b, 'alice', PASSWORD);
    assert.equal(afterPassword.status, 303);
    const done = await b.request('POST', `${path}/totp`, { csrf, code: totpCode(SEED) });
    assert.equal(done.location, '/account');
    assert.match((await b.request('GET', '/account')).body, /Signed in as <strong>alice<\/strong>/);
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  });

  await t.test('a push requested through one node is approved through the other', async () => {
    const { token } = await issuePushEnrolment(ctx!.store, nora.id, { actor: 'test' });
    const keyFile = join(dataDir, 'nora.json');
    assert.equal((await authenticator(keyFile, 'enrol', enrolmentLink(base, token))).code, 0);
    const b = new Browserish(base);
    const { path } = await startPortalSignin(b, 'nora', PASSWORD);
    const view = await b.request('GET', path);
    const number = /id="push-number"[^>]*><strong>(\d{2,})<\/strong>/.exec(view.body)?.[1];
    assert.ok(number, 'the number is shown');
    const [req] = await pendingJson(keyFile);
    assert.ok(req, 'the authenticator sees the request');
    assert.deepEqual((await authenticator(keyFile, 'approve', req.id, '--number', number)).out, ['approved']);
    const done = await b.request('POST', `${path}/push-continue`, { csrf: hiddenCsrf(view.body) });
    assert.equal(done.location, '/account');
  });

  await t.test('a RADIUS challenge from node a is answered on node b', async () => {
    const first = await radius(nodes[0]!.radiusPort, RADIUS_SECRET, { 'User-Name': quoted('alice'), 'User-Password': quoted(PASSWORD) });
    assert.equal(first.code, 'Access-Challenge');
    const done = await radius(nodes[1]!.radiusPort, RADIUS_SECRET, { 'User-Name': quoted('alice'), 'User-Password': quoted(totpCode(SEED, 1)), State: first.attributes.State! });
    assert.equal(done.code, 'Access-Accept');
  });

  await t.test('a node killed with -9 mid-burst loses no acknowledged write; the balancer moves on', async () => {
    const { token } = await createApiToken(ctx!.store, { role: 'global_admin', name: 'burst', owner: 'ops' }, { actor: 'test' });
    const burst = writeLoad(base, token, Array.from({ length: 300 }, (_, i) => `lb-${i}`), 6);
    await waitUntil(() => burst.statuses.length >= 60);
    void nodes[0]!.server.kill();
    await burst.done;
    const { acknowledged, statuses } = burst;
    assert.ok(statuses.slice(-30).every((s) => s === 201), `after the kill the balancer sends everything to b: ${statuses.slice(-30).join(',')}`);
    const stored = new Set((await ctx!.store.db.selectFrom('users').select('username').where('username', 'like', 'lb-%').execute()).map((r) => r.username));
    assert.deepEqual(acknowledged.filter((n) => !stored.has(n)), [], 'acknowledged but missing');
    const verify = await runCli(['audit', 'verify'], env);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
});
