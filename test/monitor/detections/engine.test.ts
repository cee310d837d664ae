import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../../support/engines.ts';
import { startTestServer } from '../../support/server.ts';
import { createUserWithPassword } from '../../support/fixtures.ts';
import { auditedChange } from '../../../src/audit/append.ts';
import { passwordSignin, scanNow, wrongPassword } from '../notify/support.ts';
import { userRisk } from '../../../src/policy/store/risk-facts.ts';

/**
 * Detections on sign-ins made through the real engine on a running server
 * (whose own scanner runs too): brute force and impossible travel fire once;
 * a break-glass sign-in keeps its one alert, raised by the sign-in itself.
 */
const PASSWORD = 'violet tangerine lighthouse';
const BROWSER = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' };

for (const engine of ENGINES) {
  test(`detections on engine sign-ins on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const kinds = async (userId: string) => (await ctx.store.db.selectFrom('alerts').select('kind').where('user_id', '=', userId).execute()).map((a) => a.kind).sort();

    await t.test('ten wrong passwords are a brute force; a typo and a sign-in are not', async () => {
      const dana = await createUserWithPassword(ctx, 'dana', PASSWORD);
      const erin = await createUserWithPassword(ctx, 'erin', PASSWORD);
      for (let i = 0; i < 10; i++) await wrongPassword(ctx, 'dana', { ...BROWSER, ip: '203.0.113.70' });
      await wrongPassword(ctx, 'erin', { ...BROWSER, ip: '198.51.100.70' });
      await passwordSignin(ctx, 'erin', PASSWORD, { ...BROWSER, ip: '198.51.100.70' });
      await scanNow(ctx);
      await scanNow(ctx);
      assert.deepEqual(await kinds(dana.id), ['signin.brute_force']);
      assert.deepEqual(await kinds(erin.id), []);
    });

    await t.test('London, then the United States a moment later: impossible travel, once', async () => {
      const ann = await createUserWithPassword(ctx, 'ann', PASSWORD);
      await passwordSignin(ctx, 'ann', PASSWORD, { ...BROWSER, ip: '81.2.69.142' });
      await passwordSignin(ctx, 'ann', PASSWORD, { ...BROWSER, ip: '8.8.8.8' });
      await scanNow(ctx);
      await passwordSignin(ctx, 'ann', PASSWORD, { ...BROWSER, ip: '81.2.69.142' });
      await scanNow(ctx);
      assert.deepEqual(await kinds(ann.id), ['signin.impossible_travel', 'signin.new_country']);
    });

    await t.test('a break-glass sign-in: the sign-in\'s own alert, and no second one from the scanner', async () => {
      const glass = await createUserWithPassword(ctx, 'glass', PASSWORD);
      await auditedChange(ctx.store, async (trx, record) => {
        await trx.updateTable('users').set({ kind: 'break_glass' }).where('id', '=', glass.id).execute();
        await record({ actor: 'test', action: 'user.update', target: `user:${glass.id}`, after: { kind: 'break_glass' } });
      });
      await passwordSignin(ctx, 'glass', PASSWORD, { ...BROWSER, ip: '81.2.69.142' });
      await scanNow(ctx);
      assert.deepEqual(await kinds(glass.id), ['breakglass.signin']);
    });

    await t.test('a break-glass account\'s detections alert, but add no risk: a risk policy must not shut the emergency way in', async () => {
      const glass = (await ctx.store.db.selectFrom('users').select('id').where('username', '=', 'glass').executeTakeFirstOrThrow()).id;
      await passwordSignin(ctx, 'glass', PASSWORD, { ...BROWSER, ip: '8.8.8.8' });
      await scanNow(ctx);
      const travel = await ctx.store.db.selectFrom('alerts').select('details').where('user_id', '=', glass).where('kind', '=', 'signin.impossible_travel').executeTakeFirstOrThrow();
      assert.match(JSON.parse(travel.details).riskNotRaised, /break-glass account must stay usable/);
      assert.deepEqual(await ctx.store.db.selectFrom('risk_signals').select('id').where('user_id', '=', glass).execute(), []);
      assert.equal(await userRisk(ctx.store.db, glass), 'none');
    });
  });
}
