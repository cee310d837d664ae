import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { createContext } from '../../src/app/context.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { grantRole } from '../../src/directory/role-grants.ts';
import { createTestDatabase, ENGINES, engineSkip, onCI } from '../support/engines.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { startPostgres } from '../support/postgres-server.ts';
import { startServeProcess, type ServeProcess } from '../support/serve-process.ts';
import { cliEnv, NODE, runCli, TESSERA } from './support.ts';
import { createUser, waitUntil, writeLoad } from '../support/write-load.ts';

/**
 * Faults an operator meets: the process killed with -9 under load (five
 * times), PostgreSQL restarted under load, the data directory's disk full,
 * the data directory read-only. Nothing acknowledged is lost, the audit chain
 * verifies, the server answers 503 with Retry-After while the store cannot
 * be used and recovers by itself, and the operator reads one clear line.
 */
async function adminToken(env: NodeJS.ProcessEnv): Promise<string> {
  const ctx = await createContext(loadConfig(env), {});
  try {
    const ops = await createUserWithPassword(ctx, 'ops', 'violet tangerine lighthouse');
    await grantRole(ctx.store, ops.id, 'global_admin', { actor: 'test' });
    return (await createApiToken(ctx.store, { role: 'global_admin', name: 'faults', owner: 'ops' }, { actor: 'test' })).token;
  } finally {
    await ctx.store.close();
  }
}

for (const engine of ENGINES) {
  test(`kill -9 under write load, five times, on ${engine}: nothing acknowledged is lost`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-kill-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = { ...cliEnv(db, dataDir), TESSERA_MASTER_KEY: randomBytes(32).toString('base64') };
    const token = await adminToken(env);
    const acknowledged: string[] = [];
    for (let round = 0; round < 5; round++) {
      const server = await startServeProcess(env);
      const load = writeLoad(server.url, token, { prefix: `r${round}` });
      await waitUntil(() => load.acknowledged.length >= 30 + round * 10);
      await server.kill();
      await load.stop();
      acknowledged.push(...load.acknowledged);
    }
    const ctx = await createContext(loadConfig(env), {});
    try {
      const stored = new Set((await ctx.store.db.selectFrom('users').select('username').execute()).map((u) => u.username));
      assert.deepEqual(acknowledged.filter((u) => !stored.has(u)), [], 'acknowledged but missing');
    } finally {
      await ctx.store.close();
    }
    const verify = await runCli(['audit', 'verify'], env);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
}

test('PostgreSQL restarted under load: 503 with Retry-After meanwhile, then it carries on without a restart', engineSkip('postgres'), async (t) => {
  const pg = await startPostgres();
  if ('error' in pg) throw new Error(pg.error);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-pg-restart-'));
  let server: ServeProcess | null = null;
  t.after(async () => {
    await server?.stop();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: pg.url, TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), TESSERA_LOG_LEVEL: 'error' };
  delete env.TESSERA_CONFIG;
  const token = await adminToken(env);
  server = await startServeProcess(env);
  const load = writeLoad(server.url, token, { prefix: 'pg' });
  const retryAfter: string[] = [];
  await waitUntil(() => load.acknowledged.length >= 20);
  const probe = (async () => {
    for (let i = 0; i < 400 && retryAfter.length < 3; i++) {
      const r = await fetch(`${server!.url}/readyz`).catch(() => null);
      if (r?.status === 503) retryAfter.push(r.headers.get('retry-after') ?? '');
      await new Promise((res) => setTimeout(res, 10));
    }
  })();
  await pg.restart();
  await probe;
  const before = load.acknowledged.length;
  await waitUntil(() => load.acknowledged.length >= before + 30);
  await load.stop();
  assert.ok(retryAfter.length > 0 || load.statuses.includes(503), 'the outage was seen as 503');
  assert.ok(retryAfter.every((v) => v === '5'), `Retry-After: ${retryAfter.join(',')}`);
  assert.deepEqual(load.statuses.filter((s) => s >= 500 && s !== 503), [], 'no other 5xx');
  assert.equal(server.child.exitCode, null, 'the same process carries on');
  assert.equal(load.statuses.slice(-20).every((s) => s === 201), true, 'writes go through again');
});

/** A small file system of its own, so it can be filled or made read-only (needs root, as CI runs). */
function tmpfs(size: string): { dir: string; readOnly(): void; unmount(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-fs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs here: ${mounted.stderr.trim()}`);
  return {
    dir,
    readOnly: () => void spawnSync('mount', ['-o', 'remount,ro', dir]),
    unmount: () => {
      spawnSync('umount', [dir]);
      rmdirSync(dir);
    },
  };
}
const fsSkip = process.getuid?.() !== 0 && !onCI ? 'needs root to mount a small tmpfs (run as root, as CI does)' : undefined;

test('the data directory\'s disk full: 503 and one clear log line while full, writes resume when space is freed', { skip: fsSkip }, async (t) => {
  const fullDisk = tmpfs('48m');
  const dataDir = join(fullDisk.dir, 'data');
  mkdirSync(dataDir);
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.TESSERA_CONFIG;
  const token = await adminToken(env);
  const server = await startServeProcess(env);
  t.after(async () => {
    await server.stop();
    fullDisk.unmount();
  });
  assert.equal((await createUser(server.url, token, 'before-full')).status, 201);
  const filler = join(fullDisk.dir, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
  const statuses: number[] = [];
  for (let i = 0; i < 300 && !statuses.includes(503); i++) {
    const r = await createUser(server.url, token, `while-full-${i}-${'x'.repeat(40)}`);
    statuses.push(r.status);
    if (r.status === 503) assert.equal(r.headers.get('retry-after'), '5');
  }
  assert.ok(statuses.includes(503), `statuses: ${[...new Set(statuses)].join(',')}\n${server.output().slice(-3000)}`);
  assert.deepEqual(statuses.filter((s) => s >= 500 && s !== 503), []);
  await waitUntil(() => /the disk holding the data directory is full/.test(server.output()), 5000).catch(() => {});
  assert.match(server.output(), /the disk holding the data directory is full/);
  rmSync(filler);
  let after = 0;
  for (let i = 0; i < 50 && after !== 201; i++) after = (await createUser(server.url, token, `after-full-${i}`)).status;
  assert.equal(after, 201);
  assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
});

test('a read-only data directory stops start-up with one line naming it', { skip: fsSkip }, async (t) => {
  const readOnly = tmpfs('8m');
  t.after(() => readOnly.unmount());
  const dataDir = join(readOnly.dir, 'data');
  mkdirSync(dataDir);
  readOnly.readOnly();
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_DATA_DIR: dataDir, PORT: '0' };
  delete env.DATABASE_URL;
  delete env.TESSERA_CONFIG;
  const r = spawnSync(NODE, [TESSERA, 'serve', '--workers', '1'], { env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trim().split('\n'), [`tessera: TESSERA_DATA_DIR: ${dataDir} cannot be used: it is on a read-only file system. Tessera keeps its database and keys there.`]);
});
