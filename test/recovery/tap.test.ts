import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { addPerson, recoveryContext } from './support.ts';
import {
  approveTap, issueTap, listTaps, loadTapPolicy, revokeTap, setTapPolicy, TAP_ALPHABET, tapSessionNotAfter, verifyTap,
} from '../../src/recovery/tap/index.ts';
import { DirectoryError } from '../../src/directory/errors.ts';

const by = { actor: 'test:helpdesk' };
const refused = (pattern: RegExp) => (err: unknown) => err instanceof DirectoryError && pattern.test(err.message);

for (const engine of ENGINES) {
  test(`Temporary Access Pass service on ${engine}`, engineSkip(engine), async (t) => {
    const r = await recoveryContext(engine);
    t.after(() => r.close());
    const { ctx } = r;
    const helen = await addPerson(ctx, 'helen', ['helpdesk']);
    const hugo = await addPerson(ctx, 'hugo', ['helpdesk']);
    const sam = await addPerson(ctx, 'sam', ['security_admin']);
    const amy = await addPerson(ctx, 'amy', ['global_admin']);
    const bob = await addPerson(ctx, 'bob');
    const audrey = await addPerson(ctx, 'audrey', ['auditor']);

    await t.test('issued once with the defaults, stored hashed, redeemed once', async () => {
      const { tap, pass } = await issueTap(ctx, { user: 'bob', operator: 'helen' }, by);
      assert.equal(pass.length, 12);
      assert.ok([...pass].every((c) => TAP_ALPHABET.includes(c)), pass);
      assert.equal(tap.state, 'active');
      assert.equal(tap.oneTime, true);
      assert.equal(Date.parse(tap.expiresAt) - Date.parse(tap.startsAt), 60 * 60_000);
      const row = await ctx.store.db.selectFrom('temporary_access_passes').selectAll().where('id', '=', tap.id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(pass), 'the pass is not stored');
      const audit = await ctx.store.db.selectFrom('audit_log').select(['action', 'after_json']).where('action', 'like', 'tap.%').execute();
      assert.ok(!JSON.stringify(audit).includes(pass), 'the pass is not in the audit log');

      const typed = `${pass.slice(0, 4).toUpperCase()}-${pass.slice(4, 8)} ${pass.slice(8)}`;
      const ok = await verifyTap(ctx, { userId: bob.id, throttleAs: bob.id, pass: typed, transactionId: 'tx-1' });
      assert.equal(ok.ok, true);
      const again = await verifyTap(ctx, { userId: bob.id, throttleAs: bob.id, pass });
      assert.equal(again.ok, false);
      const notAfter = await tapSessionNotAfter(ctx.store.db, 'tx-1');
      assert.equal(notAfter?.toISOString(), tap.expiresAt);
      assert.equal((await listTaps(ctx.store.db, 'bob'))[0]!.state, 'used');
    });

    await t.test('a one-time pass sent by 100 requests at once works exactly once', async () => {
      const { pass } = await issueTap(ctx, { user: 'bob', operator: 'helen' }, by);
      // Each try counted under its own throttle key, so all 100 reach the conditional UPDATE.
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => verifyTap(ctx, { userId: bob.id, throttleAs: `race-${engine}-${i}`, pass, transactionId: `race-${i}` })),
      );
      assert.equal(results.filter((x) => x.ok).length, 1);
      // The others found it used (or already gone from the live passes): none was refused by a throttle.
      assert.ok(results.every((x) => x.ok || x.reason !== 'locked'), JSON.stringify(results.filter((x) => !x.ok)[0]));
      const redemptions = await ctx.store.db.selectFrom('tap_redemptions').select('id').where('transaction_id', 'like', 'race-%').execute();
      assert.equal(redemptions.length, 1);
      // And under one throttle key (one account), as the sign-in pages count it.
      const carl = await addPerson(ctx, 'carl');
      const second = await issueTap(ctx, { user: 'carl', operator: 'helen' }, by);
      const same = await Promise.all(Array.from({ length: 100 }, () => verifyTap(ctx, { userId: carl.id, throttleAs: carl.id, pass: second.pass })));
      assert.equal(same.filter((x) => x.ok).length, 1);
    });

    await t.test('a new pass replaces the old one: at most one live pass per user', async () => {
      const first = await issueTap(ctx, { user: 'bob', operator: 'helen' }, by);
      const second = await issueTap(ctx, { user: 'bob', operator: 'hugo' }, by);
      const taps = await listTaps(ctx.store.db, 'bob');
      assert.equal(taps.find((x) => x.id === first.tap.id)!.state, 'replaced');
      assert.equal(taps.filter((x) => x.state === 'active').length, 1);
      assert.equal((await verifyTap(ctx, { userId: bob.id, throttleAs: bob.id, pass: first.pass })).ok, false);
      assert.equal((await verifyTap(ctx, { userId: bob.id, throttleAs: bob.id, pass: second.pass })).ok, true);
    });

    await t.test('start time and expiry are honoured', async () => {
      // Its own account: tries dated in the future would hold bob's throttle back.
      const dora = await addPerson(ctx, 'dora');
      const now = new Date();
      const later = new Date(now.getTime() + 2 * 3600_000);
      const { pass } = await issueTap(ctx, { user: 'dora', operator: 'helen', startsAt: later.toISOString(), lifetimeMinutes: 30 }, by);
      const early = await verifyTap(ctx, { userId: dora.id, throttleAs: dora.id, pass });
      assert.equal(early.ok, false);
      assert.equal(!early.ok && early.state, 'not_yet_valid');
      const during = await verifyTap(ctx, { userId: dora.id, throttleAs: dora.id, pass, now: new Date(later.getTime() + 60_000) });
      assert.equal(during.ok, true);

      const short = await issueTap(ctx, { user: 'dora', operator: 'helen', lifetimeMinutes: 10 }, by);
      const late = await verifyTap(ctx, { userId: dora.id, throttleAs: dora.id, pass: short.pass, now: new Date(Date.now() + 11 * 60_000) });
      assert.equal(!late.ok && late.state, 'expired');
      await assert.rejects(issueTap(ctx, { user: 'dora', operator: 'helen', startsAt: new Date(Date.now() - 3600_000).toISOString() }, by), refused(/in the past/));
    });

    await t.test('lifetime and length within the policy; multi-use only when the policy allows it', async () => {
      await assert.rejects(issueTap(ctx, { user: 'bob', operator: 'helen', lifetimeMinutes: 5 }, by), refused(/between 10 and 480 minutes/));
      await assert.rejects(issueTap(ctx, { user: 'bob', operator: 'helen', lifetimeMinutes: 9 * 60 }, by), refused(/between 10 and 480/));
      await assert.rejects(issueTap(ctx, { user: 'bob', operator: 'helen', length: 7 }, by), refused(/between 8 and 48/));
      assert.equal((await issueTap(ctx, { user: 'bob', operator: 'helen', length: 48 }, by)).pass.length, 48);
      await assert.rejects(issueTap(ctx, { user: 'bob', operator: 'helen', multiUse: true }, by), refused(/one-time passes only/));
      await assert.rejects(setTapPolicy(ctx.store, { maxLifetimeMinutes: 31 * 24 * 60 }, by), /at most 30 days/);
      await assert.rejects(setTapPolicy(ctx.store, { minLifetimeMinutes: 5 }, by), /at least 10 minutes/);
      await assert.rejects(setTapPolicy(ctx.store, { defaultLifetimeMinutes: 600 }, by), refused(/default lifetime must lie between/));
      const policy = await setTapPolicy(ctx.store, { allowMultiUse: true, maxLifetimeMinutes: 7 * 24 * 60, defaultLength: 16 }, by);
      assert.equal(policy.allowMultiUse, true);
      assert.equal((await loadTapPolicy(ctx.store.db)).maxLifetimeMinutes, 7 * 24 * 60);
      const audit = await ctx.store.db.selectFrom('audit_log').select('action').where('action', '=', 'tap.policy.update').execute();
      assert.equal(audit.length, 1);
      const multi = await issueTap(ctx, { user: 'bob', operator: 'helen', multiUse: true, lifetimeMinutes: 2 * 24 * 60 }, by);
      assert.equal(multi.pass.length, 16);
      for (let i = 0; i < 3; i++) {
        const res = await verifyTap(ctx, { userId: bob.id, throttleAs: bob.id, pass: multi.pass });
        assert.equal(res.ok, true, JSON.stringify(res));
      }
      assert.equal((await listTaps(ctx.store.db, 'bob'))[0]!.useCount, 3);
      await setTapPolicy(ctx.store, { allowMultiUse: false, maxLifetimeMinutes: 480, defaultLength: 12 }, by);
    });

    await t.test('nobody issues a pass to themselves; the issuer needs recovery rights', async () => {
      await assert.rejects(issueTap(ctx, { user: 'helen', operator: 'helen' }, by), refused(/for themselves/));
      await assert.rejects(issueTap(ctx, { user: 'bob', operator: 'audrey' }, by), refused(/recovery:write/));
      await assert.rejects(issueTap(ctx, { user: 'bob', operator: 'helen' }, { actor: `user:${bob.id}` }), refused(/for themselves/));
    });

    await t.test('four-eyes for privileged accounts: pending until a different privileged person approves', async () => {
      const { tap, pass } = await issueTap(ctx, { user: 'amy', operator: 'helen' }, { actor: 'token:one' });
      assert.equal(tap.state, 'pending_approval');
      const pending = await verifyTap(ctx, { userId: amy.id, throttleAs: amy.id, pass });
      assert.equal(!pending.ok && pending.state, 'pending_approval');
      await assert.rejects(approveTap(ctx.store, tap.id, 'helen', by), refused(/different person from the issuer/));
      await assert.rejects(approveTap(ctx.store, tap.id, 'amy', by), refused(/for themselves/));
      await assert.rejects(approveTap(ctx.store, tap.id, 'bob', by), refused(/no privileged role/));
      await assert.rejects(approveTap(ctx.store, tap.id, 'hugo', { actor: 'token:one' }), refused(/API token that issued/));
      const approved = await approveTap(ctx.store, tap.id, 'hugo', { actor: 'token:two' });
      assert.equal(approved.state, 'active');
      assert.equal(approved.approvedBy, hugo.id);
      await assert.rejects(approveTap(ctx.store, tap.id, 'sam', by), refused(/not waiting for approval/));
      assert.equal((await verifyTap(ctx, { userId: amy.id, throttleAs: amy.id, pass })).ok, true);

      const named = await issueTap(ctx, { user: 'sam', operator: 'helen', approver: 'amy' }, by);
      await assert.rejects(approveTap(ctx.store, named.tap.id, 'hugo', by), refused(/named amy/));
      assert.equal((await approveTap(ctx.store, named.tap.id, 'amy', by)).state, 'active');

      const bg = await addPerson(ctx, 'glass', [], 'break_glass');
      const forGlass = await issueTap(ctx, { user: bg.username, operator: 'helen' }, by);
      assert.equal(forGlass.tap.state, 'pending_approval', 'a break-glass account counts as privileged');
      const issuers = await addPerson(ctx, 'deputy', []);
      await assert.rejects(issueTap(ctx, { user: 'amy', operator: issuers.username }, by), refused(/recovery:write/));
      const alerts = await ctx.store.db.selectFrom('alerts').select('kind').where('kind', '=', 'tap.privileged_issued').execute();
      assert.equal(alerts.length, 3);
    });

    await t.test('unknown names, names without a pass and wrong passes fail alike', async () => {
      const none = await verifyTap(ctx, { userId: undefined, throttleAs: 'unknown:ghost', pass: 'abcdefghjkmn' });
      const noPass = await verifyTap(ctx, { userId: audrey.id, throttleAs: audrey.id, pass: 'abcdefghjkmn' });
      assert.equal(none.ok, false);
      assert.equal(noPass.ok, false);
      assert.ok(!none.ok && !none.state && !noPass.ok && !noPass.state);
      // Wrong tries are throttled like any factor.
      const results = [];
      for (let i = 0; i < 11; i++) results.push(await verifyTap(ctx, { userId: undefined, throttleAs: 'unknown:ghost2', pass: 'abcdefghjkmn' }));
      const last = results.at(-1)!;
      assert.equal(!last.ok && last.reason, 'locked');
    });

    await t.test('revoking ends the live pass', async () => {
      const { pass } = await issueTap(ctx, { user: 'bob', operator: 'helen' }, by);
      const revoked = await revokeTap(ctx.store, 'bob', { ...by, reason: 'issued by mistake' });
      assert.equal(revoked?.state, 'revoked');
      assert.equal((await verifyTap(ctx, { userId: bob.id, throttleAs: bob.id, pass })).ok, false);
      assert.equal(await revokeTap(ctx.store, 'bob', by), null);
    });
  });
}
