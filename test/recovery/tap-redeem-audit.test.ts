import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, engineSkip, type EngineName } from '../support/engines.ts';
import type { Store } from '../../src/store/store.ts';
import { addPerson, recoveryContext } from './support.ts';
import { issueTap, listTaps, verifyTap } from '../../src/recovery/tap/index.ts';

const by = { actor: 'test:helpdesk' };

/** Makes every attempt to write a 'tap.redeem' audit entry fail, as a full disk or a lost connection would. */
async function refuseRedeemAudit(store: Store, engine: EngineName): Promise<() => Promise<void>> {
  if (engine === 'sqlite') {
    await sql`create trigger refuse_tap_audit before insert on audit_log when new.action = 'tap.redeem'
      begin select raise(abort, 'audit log unavailable'); end`.execute(store.db);
    return async () => void (await sql`drop trigger refuse_tap_audit`.execute(store.db));
  }
  await sql`create function refuse_tap_audit() returns trigger language plpgsql as $$
    begin if new.action = 'tap.redeem' then raise exception 'audit log unavailable'; end if; return new; end $$`.execute(store.db);
  await sql`create trigger refuse_tap_audit before insert on audit_log for each row execute function refuse_tap_audit()`.execute(store.db);
  return async () => {
    await sql`drop trigger refuse_tap_audit on audit_log`.execute(store.db);
    await sql`drop function refuse_tap_audit()`.execute(store.db);
  };
}

for (const engine of ENGINES) {
  test(`redeeming a Temporary Access Pass and its audit entry commit together on ${engine}`, engineSkip(engine), async (t) => {
    const r = await recoveryContext(engine);
    t.after(() => r.close());
    const { ctx } = r;
    await addPerson(ctx, 'helen', ['helpdesk']);
    const bob = await addPerson(ctx, 'bob');
    const { pass } = await issueTap(ctx, { user: 'bob', operator: 'helen' }, by);

    const restore = await refuseRedeemAudit(ctx.store, engine);
    await assert.rejects(verifyTap(ctx, { userId: bob.id, throttleAs: bob.id, pass, transactionId: 'tx-fail' }), /audit log unavailable/);
    await restore();
    // Without its audit entry the redemption did not happen: the pass is still live and unused.
    const [tap] = await listTaps(ctx.store.db, 'bob');
    assert.equal(tap!.state, 'active');
    assert.equal(tap!.useCount, 0);
    const redemptions = await ctx.store.db.selectFrom('tap_redemptions').select('id').where('user_id', '=', bob.id).execute();
    assert.equal(redemptions.length, 0);

    const ok = await verifyTap(ctx, { userId: bob.id, throttleAs: bob.id, pass, transactionId: 'tx-ok' });
    assert.equal(ok.ok, true);
    const entries = await ctx.store.db.selectFrom('audit_log').select(['action', 'after_json']).where('action', '=', 'tap.redeem').execute();
    assert.equal(entries.length, 1);
    assert.match(entries[0]!.after_json ?? '', /tx-ok/);
  });
}
