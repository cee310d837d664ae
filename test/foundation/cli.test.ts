import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { openStore } from '../../src/store/store.ts';
import { authenticateApiToken } from '../../src/directory/api-tokens.ts';
import { cliEnv, runCli } from './support.ts';

/**
 * The real `tessera` binary against a real database of each engine, as an
 * operator would run it: secrets piped on stdin, --json for scripts, one-line
 * errors and a non-zero exit on failure.
 */
// Both engines at once: each run is mostly waiting for child processes.
test('tessera CLI', { concurrency: ENGINES.length }, async (top) => {
  await Promise.all(ENGINES.map((engine) => top.test(`on ${engine}`, engineSkip(engine), async (t) => {
      const db = await createTestDatabase(engine);
      const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
      t.after(async () => {
        await db.drop();
        rmSync(dataDir, { recursive: true, force: true });
      });
      const env = cliEnv(db, dataDir);
      const cli = (args: string[], stdin?: string) => runCli(args, env, stdin);
      const ok = async (args: string[], stdin?: string) => {
        const r = await cli(args, stdin);
        assert.equal(r.code, 0, `tessera ${args.join(' ')} failed: ${r.stderr}`);
        return r.stdout;
      };

      await t.test('done when: create a user with a password from stdin, then audit verify succeeds', async () => {
        const out = await ok(['user', 'create', 'alice', '--password-stdin', '--email', 'alice@example.com'], 'tangerine lighthouse orbit\n');
        assert.match(out, /created user alice/);
        const verify = await ok(['audit', 'verify']);
        assert.match(verify, /^OK: 2 entries, head [0-9a-f]{64}$/m);
      });

      await t.test('bad input: one clear line and a non-zero exit', async () => {
        const dup = await cli(['user', 'create', 'ALICE']);
        assert.equal(dup.code, 1);
        assert.equal(dup.stderr.trim(), 'tessera: user ALICE already exists');
        const weak = await cli(['user', 'create', 'bob', '--password-stdin'], 'short\n');
        assert.equal(weak.code, 1);
        assert.match(weak.stderr, /^tessera: password must be at least 15 characters/);
        assert.equal(weak.stderr.trim().split('\n').length, 1, 'no stack trace');
        const empty = await cli(['user', 'create', 'bob', '--password-stdin']);
        assert.equal(empty.code, 2);
        assert.match(empty.stderr, /standard input is empty/);
        const sub = await cli(['user', 'frobnicate']);
        assert.equal(sub.code, 2);
        assert.match(sub.stderr, /unknown subcommand 'frobnicate'/);
        const kind = await cli(['user', 'create', 'bob', '--kind', 'robot']);
        assert.equal(kind.code, 2);
        assert.match(kind.stderr, /--kind must be one of person, service, break_glass/);
      });

      await t.test('users, roles and the last-admin rule', async () => {
        await ok(['user', 'create', 'bob', '--kind', 'service', '--display-name', 'Bob the robot']);
        await ok(['role', 'grant', 'alice', 'global_admin']);
        const refused = await cli(['user', 'disable', 'alice']);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /last active global admin/);
        const revoke = await cli(['role', 'revoke', 'alice', 'global_admin']);
        assert.equal(revoke.code, 1);
        assert.match((await cli(['role', 'grant', 'alice', 'overlord'])).stderr, /unknown role overlord/);
        assert.match(await ok(['user', 'disable', 'bob']), /bob is disabled/);
        assert.match(await ok(['user', 'enable', 'bob']), /bob is active/);
        const list = JSON.parse(await ok(['user', 'list', '--json'])) as Array<{ username: string; kind: string }>;
        assert.deepEqual(list.map((u) => [u.username, u.kind]), [['alice', 'person'], ['bob', 'service']]);
        const show = JSON.parse(await ok(['user', 'show', 'Alice', '--json'])) as { roles: Array<{ role: string }>; hasPassword: boolean };
        assert.deepEqual(show.roles.map((r) => r.role), ['global_admin']);
        assert.equal(show.hasPassword, true);
        assert.match(await ok(['user', 'list']), /^USERNAME\s+KIND\s+STATUS/);
        assert.equal((await cli(['user', 'show', 'nobody'])).stderr.trim(), 'tessera: no user nobody');
      });

      await t.test('groups', async () => {
        await ok(['group', 'create', 'Finance', '--description', 'money people']);
        await ok(['group', 'add', 'finance', 'alice']);
        await ok(['group', 'add', 'finance', 'bob']);
        assert.match((await cli(['group', 'add', 'finance', 'bob'])).stderr, /already a member/);
        await ok(['group', 'remove', 'finance', 'bob']);
        const groups = JSON.parse(await ok(['group', 'list', '--json'])) as Array<{ name: string; memberCount: number }>;
        assert.deepEqual(groups.map((g) => [g.name, g.memberCount]), [['Finance', 1]]);
      });

      await t.test('tokens: created once, listed without secrets, revoked', async () => {
        const issued = JSON.parse(await ok(['token', 'create', '--role', 'auditor', '--name', 'evidence', '--owner', 'alice', '--json'])) as { id: string; token: string };
        assert.match(issued.token, /^tsk_/);
        const human = await ok(['token', 'create', '--role', 'global_admin', '--name', 'automation', '--owner', 'alice']);
        assert.match(human, /shown this once/);
        assert.match((await cli(['token', 'create'])).stderr, /--role is required/);
        const listed = await ok(['token', 'list', '--json']);
        assert.ok(!listed.includes(issued.token.slice(-43)), 'no secret in the listing');
        assert.equal((JSON.parse(listed) as unknown[]).length, 2);
        const store = await openStore(db.database);
        try {
          assert.equal((await authenticateApiToken(store, issued.token))?.role, 'auditor');
          await ok(['token', 'revoke', issued.id]);
          assert.equal(await authenticateApiToken(store, issued.token), null);
        } finally {
          await store.close();
        }
        assert.equal((JSON.parse(await ok(['token', 'list', '--json'])) as unknown[]).length, 1);
        assert.equal((JSON.parse(await ok(['token', 'list', '--all', '--json'])) as unknown[]).length, 2);
      });

      await t.test('audit tail shows the newest entries, oldest first', async () => {
        const tail = JSON.parse(await ok(['audit', 'tail', '-n', '3', '--json'])) as Array<{ seq: number; action: string; actor: string }>;
        assert.equal(tail.length, 3);
        assert.deepEqual(tail.map((e) => e.action), ['token.create', 'token.create', 'token.revoke']);
        assert.ok(tail[0]!.seq < tail[2]!.seq);
        assert.match(tail[0]!.actor, /^cli:/);
        assert.match(await ok(['audit', 'tail']), /user\.create/);
        assert.equal((await cli(['audit', 'tail', '-n', 'lots'])).code, 2);
      });

      await t.test('editing one audit row makes audit verify exit 1 naming it', async () => {
        const store = await openStore(db.database);
        let id: string;
        try {
          id = (await store.db.selectFrom('audit_log').select('id').where('seq', '=', 4).executeTakeFirstOrThrow()).id;
          await sql`update audit_log set action = 'user.nothing_to_see' where seq = 4`.execute(store.db);
        } finally {
          await store.close();
        }
        const r = await cli(['audit', 'verify']);
        assert.equal(r.code, 1);
        assert.match(r.stdout, new RegExp(`BROKEN: entry seq 4 \\(id ${id}\\): content does not match its hash`));
        const json = await cli(['audit', 'verify', '--json']);
        assert.equal(json.code, 1);
        assert.deepEqual((JSON.parse(json.stdout) as { broken: unknown }).broken, { seq: 4, id, reason: 'content does not match its hash (entry was altered)' });
      });
  })));
});
