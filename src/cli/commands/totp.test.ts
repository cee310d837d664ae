import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTestDatabase, ENGINES, engineSkip } from '../../../test/support/engines.ts';
import { cliEnv, runCli } from '../../../test/foundation/support.ts';
import type { Config } from '../../config/config.ts';
import { loadMasterKey } from '../../config/master-key.ts';
import { SecretBox } from '../../config/secret-box.ts';
import { openStore } from '../../store/store.ts';
import { findUserByUsername } from '../../directory/users.ts';
import { verifyTotp } from '../../methods/totp/index.ts';
import { codeAt, stepAt, totpSettings } from '../../methods/totp/otp.ts';

// RFC 4226's test seed, as a vendor's sheet would give it in base32.
const SEED = Buffer.from('12345678901234567890');
const SEED_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('tessera totp', { concurrency: ENGINES.length }, async (top) => {
  await Promise.all(ENGINES.map((engine) => top.test(`on ${engine}`, engineSkip(engine), async (t) => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-totp-cli-'));
    t.after(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const env = cliEnv(db, dataDir);
    const cli = (args: string[], stdin?: string) => runCli(args, env, stdin);
    assert.equal((await cli(['user', 'create', 'carol'])).code, 0);

    await t.test('import a hardware token from stdin, list it, use it, remove it', async () => {
      const imported = await cli(['totp', 'import', 'carol', '--secret-stdin', '--label', 'Token 7', '--digits', '8', '--period', '60', '--json'], `${SEED_BASE32}\n`);
      assert.equal(imported.code, 0, imported.stderr);
      const { credentialId } = JSON.parse(imported.stdout) as { credentialId: string };
      assert.ok(!imported.stdout.includes(SEED_BASE32) && !imported.stderr.includes(SEED_BASE32));

      const listed = await cli(['totp', 'list', 'carol', '--json']);
      assert.equal(listed.code, 0, listed.stderr);
      const [token] = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
      assert.deepEqual([token?.id, token?.label, token?.source, token?.digits, token?.period], [credentialId, 'Token 7', 'import', 8, 60]);
      assert.match((await cli(['totp', 'list', 'carol'])).stdout, /Token 7/);

      // The token's codes now sign carol in; the seed was sealed with the server's master key.
      const keyDir = engine === 'sqlite' ? dirname((db.database as { file: string }).file) : dataDir;
      const secrets = new SecretBox(loadMasterKey({ dataDir: keyDir } as Config));
      const store = await openStore(db.database);
      try {
        const user = await findUserByUsername(store.db, 'carol');
        const s = totpSettings({ digits: 8, period: 60 });
        const now = new Date();
        const result = await verifyTotp({ store, secrets }, user!.id, codeAt(SEED, s, stepAt(s, now)), { now });
        assert.deepEqual(result, { ok: true, credentialId });
        const audit = await store.db.selectFrom('audit_log').select(['action', 'actor', 'after_json']).where('action', '=', 'method.totp.add').execute();
        assert.equal(audit.length, 1);
        assert.match(audit[0]!.actor, /^cli:/);
        assert.ok(!audit[0]!.after_json!.includes(SEED_BASE32));
      } finally {
        await store.close();
      }

      const removed = await cli(['totp', 'remove', 'carol', credentialId]);
      assert.equal(removed.code, 0, removed.stderr);
      assert.deepEqual(JSON.parse((await cli(['totp', 'list', 'carol', '--json'])).stdout), []);
    });

    await t.test('bad input: one line, non-zero exit, no secret echoed', async () => {
      const noFlag = await cli(['totp', 'import', 'carol'], `${SEED_BASE32}\n`);
      assert.equal(noFlag.code, 2);
      assert.match(noFlag.stderr, /--secret-stdin/);
      const bad = await cli(['totp', 'import', 'carol', '--secret-stdin'], 'NOT*BASE32*SECRET9\n');
      assert.equal(bad.code, 2);
      assert.equal(bad.stderr.trim(), 'tessera: the secret must be base32 (letters A-Z and digits 2-7)');
      const short = await cli(['totp', 'import', 'carol', '--secret-stdin'], 'JBSWY3DPEHPK3PXP\n');
      assert.equal(short.code, 2);
      assert.match(short.stderr, /too short/);
      assert.ok(!short.stderr.includes('JBSWY3DPEHPK3PXP'));
      const digits = await cli(['totp', 'import', 'carol', '--secret-stdin', '--digits', '7'], `${SEED_BASE32}\n`);
      assert.equal(digits.code, 2);
      assert.match(digits.stderr, /digits must be 6 or 8/);
      const nobody = await cli(['totp', 'import', 'nobody', '--secret-stdin'], `${SEED_BASE32}\n`);
      assert.equal(nobody.code, 1);
      assert.equal(nobody.stderr.trim(), 'tessera: no user named nobody');
      const gone = await cli(['totp', 'remove', 'carol', 'no-such-id']);
      assert.equal(gone.code, 1);
      const sub = await cli(['totp', 'frobnicate']);
      assert.equal(sub.code, 2);
      assert.match(sub.stderr, /unknown subcommand 'frobnicate'/);
    });
  })));
});
