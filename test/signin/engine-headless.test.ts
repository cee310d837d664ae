import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { authenticator, enrolCli, pendingJson, tempDir } from '../push/support.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { approveTap, issueTap } from '../../src/recovery/tap/index.ts';
import { startTransaction, type SigninTransaction } from '../../src/signin/transaction.ts';
import { submitUsername } from '../../src/signin/steps/identify.ts';
import { submitPassword } from '../../src/signin/steps/password.ts';
import { submitSecondFactor } from '../../src/signin/steps/second-factor.ts';
import { continuePush, pushStateFor } from '../../src/signin/steps/push.ts';
import { completeSignin } from '../../src/signin/steps/complete.ts';
import type { StepOutcome } from '../../src/signin/steps/outcome.ts';
import { submitTap } from '../../src/recovery/tap/signin-step.ts';
import { ensureTotpEnrolment, submitTotpRegistration } from '../../src/signin/steps/register.ts';
import type { AppContext } from '../../src/app/context.ts';

/**
 * The sign-in engine without a browser or its pages, as the RADIUS server
 * will drive it: start a transaction, hand it what the person typed, and
 * finish with the access decision the engine returned.
 */
const PASSWORD = 'violet tangerine lighthouse';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const req = { ip: '127.0.0.1', userAgent: 'engine test', requestId: 'engine-test' };

function step(o: StepOutcome): string {
  return o.kind === 'complete' ? 'complete' : `${o.transaction.step}${o.error ? `: ${o.error}` : ''}`;
}

async function begin(ctx: AppContext, username: string): Promise<SigninTransaction> {
  const { transaction } = await startTransaction(ctx.store.db, { ip: req.ip, userAgent: req.userAgent, returnTo: '/account' });
  await submitUsername(ctx, transaction, username);
  return transaction;
}

async function finish(ctx: AppContext, o: StepOutcome) {
  assert.equal(o.kind, 'complete', step(o));
  if (o.kind !== 'complete') throw new Error('not complete');
  const c = await completeSignin(ctx, o.transaction, req, null, o.decision);
  assert.equal(c.kind, 'completed');
  if (c.kind !== 'completed') throw new Error('not completed');
  return c.done;
}

for (const engine of ENGINES) {
  test(`the sign-in engine runs without a browser on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    const tmp = tempDir();
    t.after(async () => {
      await server.close();
      tmp.cleanup();
    });
    const { ctx } = server;

    await t.test('password + TOTP', async () => {
      const alice = await createUserWithPassword(ctx, 'alice', PASSWORD);
      await importTotp(ctx, alice.id, { secretBase32: SEED, actor: 'test' });
      const tx = await begin(ctx, 'alice');
      const afterPassword = await submitPassword(ctx, tx, PASSWORD, req);
      assert.equal(step(afterPassword), 'totp', 'the decision asks for the second factor the person has');
      const done = await finish(ctx, await submitSecondFactor(ctx, tx, 'totp', totpCode(SEED), req));
      assert.deepEqual(done.amr, ['mfa', 'otp', 'pwd']);
      assert.equal(done.acr, 'urn:tessera:acr:mfa');
      const row = await ctx.store.db.selectFrom('signin_log').selectAll().where('user_id', '=', alice.id).where('result', '=', 'success').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.methods_used), ['password', 'totp']);
      const wrong = await begin(ctx, 'alice');
      await submitPassword(ctx, wrong, PASSWORD, req);
      const refused = await submitSecondFactor(ctx, wrong, 'totp', '000000', req);
      assert.equal(refused.kind === 'show' && refused.status, 401, 'a wrong code is refused by the same engine');
    });

    await t.test('password + push, approved through the push protocol', async () => {
      const pat = await createUserWithPassword(ctx, 'pat', PASSWORD);
      const keyFile = await enrolCli(server, pat.id, tmp.dir, 'pat');
      const tx = await begin(ctx, 'pat');
      assert.equal(step(await submitPassword(ctx, tx, PASSWORD, req)), 'push');
      const sent = await pushStateFor(ctx, tx, true);
      assert.equal(sent.kind, 'waiting');
      const early = await continuePush(ctx, tx, req);
      assert.equal(early.kind === 'show' && early.status, 409, 'not approved yet');
      const [pending] = await pendingJson(keyFile);
      const number = sent.kind === 'waiting' ? sent.request.number : '';
      assert.deepEqual((await authenticator(keyFile, 'approve', pending!.id, '--number', number)).out, ['approved']);
      const done = await finish(ctx, await continuePush(ctx, tx, req));
      assert.ok(done.amr.includes('mfa'), done.amr.join(' '));
    });

    await t.test('a Temporary Access Pass, then the registration interrupt', async () => {
      await createUserWithPassword(ctx, 'helen', PASSWORD, ['helpdesk']);
      const dan = await createUserWithPassword(ctx, 'dan', PASSWORD);
      const { pass, tap } = await issueTap(ctx, { user: 'dan', operator: 'helen' }, { actor: 'test' });
      if (tap.status === 'pending_approval') await approveTap(ctx.store, tap.id, 'helen', { actor: 'test' });
      const tx = await begin(ctx, 'dan');
      const afterPass = await submitTap(ctx, tx, pass, req);
      assert.equal(step(afterPass), 'register_totp', 'a pass leads to registering a method');
      const enrolment = await ensureTotpEnrolment(ctx, tx);
      const done = await finish(ctx, await submitTotpRegistration(ctx, tx, totpCode(enrolment.secretBase32), req));
      assert.deepEqual(done.amr, ['mfa', 'otp']);
      const row = await ctx.store.db.selectFrom('signin_log').selectAll().where('user_id', '=', dan.id).where('result', '=', 'success').executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.methods_used), ['tap', 'totp']);
    });

    await t.test('a pass for an app that asks for a phishing-resistant sign-in leads to registering a key, as the decision says', async () => {
      await createUserWithPassword(ctx, 'erin', PASSWORD);
      const { pass, tap } = await issueTap(ctx, { user: 'erin', operator: 'helen' }, { actor: 'test' });
      if (tap.status === 'pending_approval') await approveTap(ctx.store, tap.id, 'helen', { actor: 'test' });
      const { transaction: tx } = await startTransaction(ctx.store.db, {
        ip: req.ip, userAgent: req.userAgent, returnTo: '/account', requiredAcr: 'urn:tessera:acr:phishing-resistant',
      });
      await submitUsername(ctx, tx, 'erin');
      const afterPass = await submitTap(ctx, tx, pass, req);
      assert.equal(step(afterPass), 'register_webauthn', 'no rule beside the decision refuses the pass');
      assert.deepEqual(tx.methodsUsed, ['tap']);
    });
  });
}
