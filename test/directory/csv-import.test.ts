import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { cliEnv, runCli } from '../foundation/support.ts';
import { createUser } from '../../src/directory/users.ts';

const BAD = [
  'Username,E-mail,Display Name,Kind,Groups',
  'alice,alice@example.com,Alice Liddell,person,Finance;Staff',
  'bob,not-an-address,Bob,person,',
  'alice,alice2@example.com,Alice again,person,',
  'carol,carol@example.com,Carol,wizard,Staff',
  'dave,dave@example.com,Dave,person,Bad;Group!',
  'erin,erin@example.com',
].join('\n');

const GOOD = [
  'username,email,display_name,kind,groups',
  'alice,alice@example.com,Alice Liddell,person,Finance;Staff',
  'bob,bob@example.com,"Bob, the builder",service,Staff',
  'zoe,zoe@example.com,Zoe,,',
].join('\r\n');

for (const engine of ENGINES) {
  test(`tessera user import and export on ${engine}`, engineSkip(engine), async (t) => {
    const db = await openTestStore(engine);
    const dir = mkdtempSync(join(tmpdir(), 'tessera-csv-'));
    t.after(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const env = cliEnv(db, dir);
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const count = async (table: 'users' | 'groups' | 'group_members') => Number((await db.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    await createUser(db.store, { username: 'zoe', email: 'old@example.com' }, { actor: 'test' });

    await t.test('a file with bad lines imports nothing and names each line (the header is line 1)', async () => {
      const r = await runCli(['user', 'import', file('bad.csv', BAD)], env);
      assert.equal(r.code, 1, r.stdout);
      const lines = r.stderr.trim().split('\n');
      assert.match(lines[0]!, /^line 3: email: not-an-address must be an email address/);
      assert.match(lines[1]!, /^line 4: alice is already on line 2/);
      assert.match(lines[2]!, /^line 5: kind: must be one of person, service, break_glass/);
      assert.match(lines[3]!, /^line 6: group "Group!": may hold letters/);
      assert.match(lines[4]!, /^line 7: has 2 fields; the header names 5/);
      assert.match(lines[5]!, /^nothing was imported: 5 errors/);
      assert.equal(await count('users'), 1, 'only zoe, as before');
      assert.equal(await count('groups'), 0);
    });

    await t.test('the header must name username and email, and only known columns', async () => {
      const r = await runCli(['user', 'import', file('head.csv', 'username,phone\nalice,123\n')], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /line 1: unknown column "phone"/);
      assert.match(r.stderr, /line 1: the header must name the email column/);
    });

    await t.test('--dry-run says what would change and writes nothing', async () => {
      const r = await runCli(['user', 'import', file('good.csv', GOOD), '--dry-run'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /dry run, nothing written; the file would give: 2 created, 1 updated, 0 unchanged; 2 new groups, 3 memberships added/);
      assert.equal(await count('users'), 1);
    });

    await t.test('a good file is imported in one audited change', async () => {
      const r = await runCli(['user', 'import', join(dir, 'good.csv'), '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { created: string[]; updated: string[]; groupsCreated: string[] };
      assert.deepEqual(report.created, ['alice', 'bob']);
      assert.deepEqual(report.updated, ['zoe']);
      assert.deepEqual(report.groupsCreated, ['Finance', 'Staff']);
      const bob = await db.store.db.selectFrom('users').selectAll().where('username', '=', 'bob').executeTakeFirstOrThrow();
      assert.equal(bob.display_name, 'Bob, the builder');
      assert.equal(bob.kind, 'service');
      const zoe = await db.store.db.selectFrom('users').selectAll().where('username', '=', 'zoe').executeTakeFirstOrThrow();
      assert.equal(zoe.email, 'zoe@example.com');
      assert.equal(await count('group_members'), 3);
      const actions = (await db.store.db.selectFrom('audit_log').select(['action', 'actor']).where('actor', 'like', 'cli:%').execute()).map((e) => e.action);
      assert.deepEqual(actions.filter((a) => a === 'user.create').length, 2);
      assert.ok(actions.includes('directory.import') && actions.includes('group.member.add') && actions.includes('user.update'));
      const again = await runCli(['user', 'import', join(dir, 'good.csv')], env);
      assert.match(again.stdout, /0 created, 0 updated, 3 unchanged; 0 new groups, 0 memberships added/);
    });

    await t.test('export writes the same format, which imports back unchanged', async () => {
      const out = join(dir, 'export.csv');
      const r = await runCli(['user', 'export', out], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(statSync(out).mode & 0o777, 0o600);
      const text = readFileSync(out, 'utf8');
      assert.equal(text.split('\r\n')[0], 'username,email,display_name,kind,groups');
      assert.match(text, /\r\nalice,alice@example.com,Alice Liddell,person,Finance;Staff\r\n/);
      assert.match(text, /\r\nbob,bob@example.com,"Bob, the builder",service,Staff\r\n/);
      const back = await runCli(['user', 'import', out, '--dry-run'], env);
      assert.match(back.stdout, /0 created, 0 updated, 3 unchanged/);
      const stdout = await runCli(['user', 'export'], env);
      assert.equal(stdout.stdout.replace(/\n$/, ''), text.replace(/\r\n$/, ''));
    });

    await t.test('a missing file is a usage error', async () => {
      const r = await runCli(['user', 'import', join(dir, 'nope.csv')], env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /cannot read .*nope\.csv: no such file/);
    });
  });
}
