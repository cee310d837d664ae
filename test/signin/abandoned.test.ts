import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { addPerson } from '../recovery/support.ts';
import { deleteExpiredTransactions, saveTransaction, startTransaction } from '../../src/signin/transaction.ts';

/**
 * A sign-in that ends without tokens still ends with a row in the sign-in log:
 * housekeeping logs each abandoned one once, with where it stopped; a pass
 * redeemed and then given up is named as such.
 */
for (const engine of ENGINES) {
  test(`abandoned sign-ins are logged when swept, on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;
    const db = store.db;
    const root = await addPerson({ store }, 'root', ['global_admin']);
    const bob = await addPerson({ store }, 'bob');
    const then = new Date(Date.now() - 60 * 60_000);

    // An admin redeemed a pass and left at the registration of a passkey.
    const pass = (await startTransaction(db, { ip: '192.0.2.7', clientId: null }, then)).transaction;
    Object.assign(pass, { userId: root.id, usernameTyped: 'root', step: 'register_webauthn', methodsUsed: ['tap'], methodsTried: ['tap'] });
    await saveTransaction(db, pass, then);
    // Bob typed his password and never gave the second factor.
    const half = (await startTransaction(db, { ip: '192.0.2.8' }, then)).transaction;
    Object.assign(half, { userId: bob.id, usernameTyped: 'bob', step: 'totp', methodsUsed: ['password'], methodsTried: ['password'] });
    await saveTransaction(db, half, then);
    // A page opened and left before anyone was named, and one still running.
    await startTransaction(db, {}, then);
    const live = (await startTransaction(db, {})).transaction;

    // Two nodes sweeping at once: each abandoned sign-in is logged exactly once.
    const counts = await Promise.all([deleteExpiredTransactions(store), deleteExpiredTransactions(store)]);
    assert.equal(counts[0]! + counts[1]!, 2);
    const rows = await db.selectFrom('signin_log').select(['user_id', 'result', 'reason', 'methods_used', 'transaction_id', 'ip']).orderBy('reason').execute();
    assert.deepEqual(rows.map((r) => [r.user_id, r.result, r.reason, JSON.parse(r.methods_used), r.transaction_id, r.ip]), [
      [root.id, 'interrupted', 'abandoned_after_pass', ['tap'], pass.id, '192.0.2.7'],
      [bob.id, 'interrupted', 'abandoned_at_totp', ['password'], half.id, '192.0.2.8'],
    ]);
    const left = await db.selectFrom('signin_transactions').select('id').execute();
    assert.deepEqual(left.map((r) => r.id), [live.id], 'the running sign-in stays');
    assert.equal(await deleteExpiredTransactions(store), 0);
  });
}
