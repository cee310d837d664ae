import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip, onCI, type EngineName } from '../support/engines.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createContext, type AppContext } from '../../src/app/context.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';
import { freePort } from '../support/postgres-server.ts';
import { findPgTool } from '../../src/store/backup/pg-tools.ts';
import { cliEnv, NODE, runCli, TESSERA } from './support.ts';

/**
 * `tessera backup` while the store is in use and `tessera restore` into it:
 * what was there at the backup comes back (later changes are gone), the
 * audit chain verifies with the restore recorded on it, and a person signs
 * in with their password and authenticator app against the restored store.
 * A restore is refused, with nothing replaced, for a file that is not a
 * backup, for the wrong master key, and without --yes.
 */
const PASSWORD = 'violet tangerine lighthouse';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

function pgToolsMissing(engine: EngineName): string | null {
  if (engine !== 'postgres' || (findPgTool('pg_dump') && findPgTool('pg_restore') && findPgTool('psql'))) return null;
  return 'PostgreSQL client programs not found (apt-get install postgresql-client)';
}

async function withCtx<T>(env: NodeJS.ProcessEnv, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await createContext(loadConfig(env), {});
  try {
    return await fn(ctx);
  } finally {
    await ctx.store.close();
  }
}

const usernames = (env: NodeJS.ProcessEnv) => withCtx(env, async (ctx) => (await ctx.store.db.selectFrom('users').select('username').orderBy('username').execute()).map((u) => u.username));

/** Starts `tessera serve` on the restored store and signs alice in with password and code. */
async function signInThroughServer(env: NodeJS.ProcessEnv): Promise<void> {
  const port = await freePort();
  const server = spawn(NODE, [TESSERA, 'serve'], { env: { ...env, PORT: String(port), TESSERA_ISSUER: `http://127.0.0.1:${port}`, TESSERA_RADIUS_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((ok, fail) => {
      server.stdout!.on('data', (d: Buffer) => d.toString().includes('running at') && ok());
      server.on('exit', (code) => fail(new Error(`the server exited with ${code}`)));
    });
    const b = new Browserish(`http://127.0.0.1:${port}`);
    const { path, csrf, afterPassword } = await startPortalSignin(b, 'alice', PASSWORD);
    assert.equal(afterPassword.status, 303);
    const code = await b.request('POST', `${path}/totp`, { csrf, code: totpCode(SECRET) });
    assert.equal(code.status, 303);
    assert.equal(code.location, '/account');
  } finally {
    server.kill('SIGTERM');
  }
}

for (const engine of ENGINES) {
  const missing = pgToolsMissing(engine);
  const skip = engineSkip(engine).skip ?? (missing && !onCI ? missing : undefined);
  test(`tessera backup and restore on ${engine}`, { skip }, async (t) => {
    assert.equal(missing, null, missing ?? '');
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-backup-'));
    const keep = mkdtempSync(join(tmpdir(), 'tessera-backups-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(keep, { recursive: true, force: true });
    });
    const env = cliEnv(db, dataDir);
    const file = join(keep, 'tessera.backup');
    await withCtx(env, async (ctx) => {
      const alice = await createUserWithPassword(ctx, 'alice', PASSWORD);
      await importTotp(ctx, alice.id, { secretBase32: SECRET, actor: 'test' });
    });

    await t.test('a backup while the store is open; the reminder about the master key', async () => {
      const r = await runCli(['backup', file], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /backed up the (SQLite|PostgreSQL) store to /);
      assert.match(r.stderr, /master key is NOT in this backup/);
      assert.ok(existsSync(file));
      const again = await runCli(['backup', file], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exists/);
    });

    await withCtx(env, (ctx) => createUserWithPassword(ctx, 'bob', PASSWORD));

    await t.test('refused before anything is replaced: no --yes, not a backup, another master key', async () => {
      const noYes = await runCli(['restore', file], env);
      assert.equal(noYes.code, 2);
      assert.match(noYes.stderr, /--yes/);
      const junk = join(keep, 'junk');
      writeFileSync(junk, randomBytes(4096));
      const notOne = await runCli(['restore', junk, '--yes'], env);
      assert.equal(notOne.code, 1);
      assert.match(notOne.stderr, /is not a Tessera backup/);
      const otherKey = await runCli(['restore', file, '--yes'], { ...env, TESSERA_MASTER_KEY: randomBytes(32).toString('base64') });
      assert.equal(otherKey.code, 1);
      assert.match(otherKey.stderr, /made with a different master key/);
      assert.deepEqual(await usernames(env), ['alice', 'bob']);
    });

    if (engine === 'sqlite') {
      await t.test('a backup from a newer Tessera is refused', async () => {
        const future = join(keep, 'future.backup');
        assert.equal((await runCli(['backup', future], env)).code, 0);
        const f = new DatabaseSync(future);
        f.prepare("insert into schema_migrations (name, timestamp) values ('9999_from_the_future', '2030-01-01T00:00:00Z')").run();
        f.close();
        const r = await runCli(['restore', future, '--yes'], env);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /comes from a newer Tessera \(it ran 9999_from_the_future\)/);
      });
    }

    await t.test('restored: the state of the backup, the chain verifies, the restore is on it, alice signs in', async () => {
      const r = await runCli(['restore', file, '--yes'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /restored the store from /);
      assert.deepEqual(await usernames(env), ['alice']);
      const verify = await runCli(['audit', 'verify'], env);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      const last = await withCtx(env, (ctx) => ctx.store.db.selectFrom('audit_log').select(['action', 'actor']).orderBy('seq', 'desc').executeTakeFirstOrThrow());
      assert.equal(last.action, 'store.restore');
      assert.match(last.actor, /^cli:/);
      await signInThroughServer(env);
    });
  });
}
