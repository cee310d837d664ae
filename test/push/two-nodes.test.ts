import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppContext } from '../../src/app/context.ts';
import { openStore } from '../../src/store/store.ts';
import { issuePushEnrolment } from '../../src/methods/push/enrol.ts';
import { enrolmentLink } from '../../src/http/routes/account/push.ts';
import { createTestDatabase, engineSkip } from '../support/engines.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';
import { authenticator, pendingJson } from './support.ts';

const NODE = process.execPath;
const TESSERA = join(import.meta.dirname, '../../bin/tessera.js');
const PASSWORD = 'violet tangerine lighthouse';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** `tessera serve` as its own process; resolves once it listens. */
async function serve(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(NODE, [TESSERA, 'serve'], { env: { ...env, PORT: String(port), TESSERA_ISSUER: url, TESSERA_RADIUS_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Tessera is running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return { url, child };
}

test('push delivery across two server processes on one PostgreSQL', engineSkip('postgres'), async (t) => {
  const db = await createTestDatabase('postgres');
  const store = await openStore(db.database);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-2nodes-'));
  const children: ChildProcess[] = [];
  t.after(async () => {
    for (const c of children) {
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      await exited;
    }
    await store.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  if (db.database.engine !== 'postgres') throw new Error('postgres expected');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.database.url,
    TESSERA_MASTER_KEY: randomBytes(32).toString('base64'),
    TESSERA_DATA_DIR: dataDir,
    TESSERA_LOG_LEVEL: 'silent',
  };
  delete env.TESSERA_CONFIG;
  const user = await createUserWithPassword({ store } as unknown as AppContext, 'nora', PASSWORD);
  const [a, b] = await Promise.all([serve(env), serve(env)]);
  children.push(a.child, b.child);

  // The authenticator talks to node B only; the person signs in on node A.
  const { token } = await issuePushEnrolment(store, user.id, { actor: 'test' });
  const keyFile = join(dataDir, 'nora.json');
  assert.equal((await authenticator(keyFile, 'enrol', enrolmentLink(b.url, token))).code, 0);

  const browser = new Browserish(a.url);
  const { path } = await startPortalSignin(browser, 'nora', PASSWORD);
  const view = await browser.request('GET', path);
  const number = /id="push-number"[^>]*><strong>(\d{2})<\/strong>/.exec(view.body)?.[1];
  assert.ok(number, 'node A shows the number');
  const [req] = await pendingJson(keyFile);
  assert.ok(req, 'node B delivers the request node A stored');
  assert.deepEqual((await authenticator(keyFile, 'approve', req.id, '--number', number)).out, ['approved']);
  const done = await browser.request('POST', `${path}/push-continue`, { csrf: hiddenCsrf(view.body) });
  assert.equal(done.status, 303);
  assert.equal(done.location, '/account');
  assert.match((await browser.request('GET', '/account')).body, /Signed in as <strong>nora<\/strong>/);
});
