import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { cliEnv, runCli } from '../foundation/support.ts';
import { GROUPS, PEOPLE, SYNC_DN, SYNC_PW, slapdSkip, startSlapd } from './slapd.ts';

/**
 * The operator's path: a source added with the bind password on stdin, a dry
 * run that prints what it would do, the sync, `user show` naming the source,
 * and what the source owns refused by the CLI as by the API (CSV import too).
 */
for (const engine of ENGINES) {
  test(`tessera directory on ${engine}`, { ...engineSkip(engine), ...slapdSkip() }, async (t) => {
    const slapd = await startSlapd();
    t.after(() => slapd.stop());
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-ldap-cli-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = cliEnv(db, dataDir);
    const ok = async (args: string[], stdin?: string) => {
      const r = await runCli(args, env, stdin);
      assert.equal(r.code, 0, `tessera ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };
    const caFile = join(dataDir, 'ca.pem');
    writeFileSync(caFile, slapd.caPem);
    const add = ['directory', 'source', 'add', 'corp', '--url', slapd.url, '--start-tls', '--ca-file', caFile, '--bind-dn', SYNC_DN, '--bind-password-stdin',
      '--user-base', PEOPLE, '--disabled-filter', '(employeeType=disabled)', '--group-base', GROUPS, '--interval-minutes', '0'];

    await t.test('a source is added with the bind password from stdin only', async () => {
      const noStdin = await runCli(add.filter((a) => a !== '--bind-password-stdin'), env);
      assert.equal(noStdin.code, 2);
      assert.match(noStdin.stderr, /standard input only/);
      const plain = await runCli(['directory', 'source', 'add', 'x', '--url', slapd.url, '--bind-dn', SYNC_DN, '--bind-password-stdin', '--user-base', PEOPLE], env, SYNC_PW);
      assert.equal(plain.code, 1);
      assert.match(plain.stderr, /sends passwords in clear/);
      assert.match(await ok(add, `${SYNC_PW}\n`), /added directory source corp/);
      const list = await ok(['directory', 'source', 'list']);
      assert.match(list, /corp\s+openldap/);
      assert.ok(!(await ok(['directory', 'source', 'show', 'corp', '--json'])).includes(SYNC_PW));
      assert.match(await ok([...add.map((a) => (a === 'add' ? 'update' : a)), '--password-bind'], 'a-wrong-bind-password\n'), /updated directory source corp and its bind password/);
      assert.equal(JSON.parse(await ok(['directory', 'source', 'show', 'corp', '--json'])).settings.passwordBind, true);
      const refused = await runCli(['directory', 'sync', 'corp'], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^tessera: the sync of corp failed: the directory refused the bind \(invalid credentials\)$/m);
      await ok(add.map((a) => (a === 'add' ? 'update' : a)), `${SYNC_PW}\n`);
    });

    await t.test('sync --dry-run prints the report and changes nothing; sync makes it so', async () => {
      const dry = await ok(['directory', 'sync', '--dry-run']);
      assert.match(dry, /^dry run of sync of corp: 4 create, 2 group_create, 3 member_add/m);
      assert.match(dry, /create\s+dave: new account from uid=dave,ou=people,dc=example,dc=org \(disabled there\)/);
      assert.match(await ok(['user', 'list']), /\(none\)/);
      const done = await ok(['directory', 'sync', 'corp']);
      assert.match(done, /^sync of corp: 4 create/m);
      const again = await ok(['directory', 'sync', 'corp']);
      assert.match(again, /nothing to change/);
    });

    await t.test('user show and group list name the source; what it owns is refused', async () => {
      const show = await ok(['user', 'show', 'alice']);
      assert.match(show, /source\s+LDAP source corp \(uid=alice,ou=people,dc=example,dc=org\)/);
      assert.match(await ok(['group', 'list']), /engineering\s+2\s+LDAP source corp/);
      const disable = await runCli(['user', 'disable', 'alice'], env);
      assert.equal(disable.code, 1);
      assert.equal(disable.stderr.trim(), "tessera: alice's enabled or disabled state is kept by the LDAP source corp: change it there");
      const member = await runCli(['group', 'remove', 'engineering', 'alice'], env);
      assert.equal(member.code, 1);
      assert.match(member.stderr, /members of group engineering are kept by the LDAP source corp/);
      const csv = join(dataDir, 'people.csv');
      writeFileSync(csv, 'username,email,groups\nalice,other@example.org,\nnew.person,new@example.org,engineering\n');
      const imported = await runCli(['user', 'import', csv], env);
      assert.notEqual(imported.code, 0);
      assert.match(imported.stdout + imported.stderr, /line 2.*alice is kept by the LDAP source corp/);
      assert.match(imported.stdout + imported.stderr, /line 3.*members of group engineering are kept by the LDAP source corp/);
      assert.doesNotMatch(await ok(['user', 'list']), /new\.person/, 'nothing imported');
    });

    await t.test('the audit chain holds, and removing the source leaves its people as local ones', async () => {
      assert.match(await ok(['audit', 'verify']), /^OK:/m);
      assert.match(await ok(['directory', 'source', 'remove', 'corp']), /stay, as local ones/);
      assert.match(await ok(['user', 'show', 'alice']), /source\s+local/);
      assert.match(await ok(['user', 'disable', 'alice']), /alice is disabled/);
    });
  });
}
