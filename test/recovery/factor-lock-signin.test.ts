import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { Browserish, startPortalSignin } from '../support/http-client.ts';
import { HARD_LIMIT, recordFailure } from '../../src/methods/throttle/index.ts';
import type { MethodType } from '../../src/methods/method.ts';
import type { Store } from '../../src/store/store.ts';
import { importTotp } from '../../src/methods/totp/index.ts';
import { generateBackupCodes } from '../../src/methods/backup-codes/index.ts';
import { issueTap } from '../../src/recovery/tap/index.ts';
import { signInWithPass } from './signin.ts';

const PASSWORD = 'violet tangerine lighthouse';
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const by = { actor: 'test:helpdesk' };

/** Someone who knows the username guesses until the factor is locked until unlocked. */
async function guessUntilLocked(store: Store, userId: string, method: MethodType): Promise<void> {
  const past = new Date(Date.now() - 3600_000);
  for (let i = 0; i < HARD_LIMIT; i++) await recordFailure(store, { userId, method, now: past });
}

/**
 * A lock earned by guessing is not a denial-of-service lever against a known
 * username: it ends only the factor guessed at; the person still signs in with
 * another registered factor or a Temporary Access Pass.
 */
for (const engine of ENGINES) {
  test(`a factor locked by guessing leaves the person's other ways in on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    await createUserWithPassword(ctx, 'helen', PASSWORD, ['helpdesk']);

    await t.test('authenticator app locked: the password still works, then a backup code', async () => {
      const bob = await createUserWithPassword(ctx, 'bob', PASSWORD);
      await importTotp(ctx, bob.id, { secretBase32: SECRET, actor: 'test' });
      const [code] = await generateBackupCodes(ctx, bob.id, { actor: 'test' });
      await guessUntilLocked(ctx.store, bob.id, 'totp');
      const b = new Browserish(server.url);
      const { path, csrf, afterPassword } = await startPortalSignin(b, 'bob', PASSWORD);
      assert.equal(afterPassword.status, 303, 'the password is not locked by the app\'s lock');
      const locked = await b.request('POST', `${path}/totp`, { csrf, code: totpCode(SECRET) });
      assert.equal(locked.status, 429, 'even the right code is refused while the app is locked');
      assert.match(locked.body, /Use another method/);
      await b.request('POST', `${path}/choose`, { csrf, method: 'backup_code' });
      const done = await b.request('POST', `${path}/backup-code`, { csrf, code: code! });
      assert.equal(done.status, 303, done.body.slice(0, 400));
      assert.equal(done.location, '/account');
    });

    await t.test('password locked: a Temporary Access Pass still signs the person in', async () => {
      const carol = await createUserWithPassword(ctx, 'carol', PASSWORD);
      await guessUntilLocked(ctx.store, carol.id, 'password');
      const b = new Browserish(server.url);
      const { afterPassword } = await startPortalSignin(b, 'carol', PASSWORD);
      assert.equal(afterPassword.status, 429, 'the right password is refused while it is locked');
      const { pass } = await issueTap(ctx, { user: 'carol', operator: 'helen' }, by);
      await signInWithPass(server.url, 'carol', pass);
    });
  });
}
