import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip, openTestStore } from '../../../test/support/engines.ts';
import { recordAudit } from '../../audit/append.ts';
import { configSnapshot } from './config-snapshot.ts';
import { openStore } from '../../store/store.ts';
import { savePolicy, setPolicyState } from './policies.ts';
import { createStrength } from '../../signin/strength-catalog.ts';
import { setWebauthnSettings } from '../../methods/webauthn/settings.ts';

const admin = { actor: 'user:alice-admin' };

for (const engine of ENGINES) {
  test(`the sign-in configuration snapshot on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;

    await t.test('is reused while nothing audited has changed', async () => {
      const a = await configSnapshot(store.db);
      const b = await configSnapshot(store.db);
      assert.equal(a, b);
      assert.ok(Object.isFrozen(a));
    });

    await t.test('a policy change is seen by the next read', async () => {
      const before = await configSnapshot(store.db);
      const saved = await savePolicy(store, {
        name: 'Finance needs MFA', state: 'reportOnly', assignments: { users: { include: 'all' } }, grant: { strength: 'mfa' },
      }, admin);
      const after = await configSnapshot(store.db);
      assert.notEqual(after, before);
      assert.ok(after.set.policies.some((p) => p.id === saved.value.id && p.document.state === 'reportOnly'));
      await setPolicyState(store, saved.value.id, 'disabled', admin);
      const disabled = (await configSnapshot(store.db)).set.policies.find((p) => p.id === saved.value.id);
      assert.equal(disabled?.document.state, 'disabled');
    });

    await t.test('custom strengths and WebAuthn settings follow their changes', async () => {
      await createStrength(store, { name: 'keys_only', description: 'A security key', combinations: ['webauthn'] }, admin);
      const snap = await configSnapshot(store.db);
      assert.ok(snap.customStrengths.some((s) => s.id === 'keys_only'));
      assert.ok(snap.catalog.has('keys_only'));
      const flipped = !snap.webauthn.adminsRequirePhishingResistant;
      await setWebauthnSettings(store, { adminsRequirePhishingResistant: flipped }, { actor: admin.actor });
      assert.equal((await configSnapshot(store.db)).webauthn.adminsRequirePhishingResistant, flipped);
    });

    await t.test('a change made on another node is seen by the next read here', async () => {
      const other = await openStore(ts.database, { migrate: false });
      try {
        const mine = await configSnapshot(store.db);
        await configSnapshot(other.db);
        const saved = await savePolicy(other, {
          name: 'Set on the other node', state: 'reportOnly', assignments: { users: { include: 'all' } }, grant: { strength: 'mfa' },
        }, admin);
        const seen = await configSnapshot(store.db);
        assert.notEqual(seen, mine);
        assert.ok(seen.set.policies.some((p) => p.id === saved.value.id));
      } finally {
        await other.close();
      }
    });

    await t.test('any audited change refreshes it; inside a transaction it is always read afresh', async () => {
      const before = await configSnapshot(store.db);
      await recordAudit(store, { actor: 'test', action: 'test.touch' });
      assert.notEqual(await configSnapshot(store.db), before);
      const inside = await store.db.transaction().execute((trx) => configSnapshot(trx));
      assert.notEqual(inside, await configSnapshot(store.db));
    });
  });
}
