import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, engineSkip, openTestStore } from '../../../test/support/engines.ts';
import { recordAudit } from '../../audit/append.ts';
import { configSnapshot, readSigninConfig } from './config-snapshot.ts';
import { openStore } from '../../store/store.ts';
import { savePolicy, setPolicyState } from './policies.ts';
import { createStrength } from './strength-catalog.ts';
import { setWebauthnSettings } from '../../methods/webauthn/settings.ts';

const admin = { actor: 'user:alice-admin' };

for (const engine of ENGINES) {
  test(`the sign-in configuration snapshot on ${engine}`, engineSkip(engine), async (t) => {
    const ts = await openTestStore(engine);
    t.after(() => ts.close());
    const { store } = ts;

    await t.test('is reused while nothing audited has changed', async () => {
      const a = await configSnapshot(store);
      const b = await configSnapshot(store);
      assert.equal(a, b);
      assert.ok(Object.isFrozen(a));
    });

    await t.test('a policy change is seen by the next read', async () => {
      const before = await configSnapshot(store);
      const saved = await savePolicy(store, {
        name: 'Finance needs MFA', state: 'reportOnly', assignments: { users: { include: 'all' } }, grant: { strength: 'mfa' },
      }, admin);
      const after = await configSnapshot(store);
      assert.notEqual(after, before);
      assert.ok(after.set.policies.some((p) => p.id === saved.value.id && p.document.state === 'reportOnly'));
      await setPolicyState(store, saved.value.id, 'disabled', admin);
      const disabled = (await configSnapshot(store)).set.policies.find((p) => p.id === saved.value.id);
      assert.equal(disabled?.document.state, 'disabled');
    });

    await t.test('custom strengths and WebAuthn settings follow their changes', async () => {
      await createStrength(store, { name: 'keys_only', description: 'A security key', combinations: ['webauthn'] }, admin);
      const snap = await configSnapshot(store);
      assert.ok(snap.customStrengths.some((s) => s.id === 'keys_only'));
      assert.ok(snap.catalog.has('keys_only'));
      const flipped = !snap.webauthn.adminsRequirePhishingResistant;
      await setWebauthnSettings(store, { adminsRequirePhishingResistant: flipped }, { actor: admin.actor });
      assert.equal((await configSnapshot(store)).webauthn.adminsRequirePhishingResistant, flipped);
    });

    await t.test('a change made on another node is seen by the next read here', async () => {
      const other = await openStore(ts.database, { migrate: false });
      try {
        const mine = await configSnapshot(store);
        await configSnapshot(other);
        const saved = await savePolicy(other, {
          name: 'Set on the other node', state: 'reportOnly', assignments: { users: { include: 'all' } }, grant: { strength: 'mfa' },
        }, admin);
        const seen = await configSnapshot(store);
        assert.notEqual(seen, mine);
        assert.ok(seen.set.policies.some((p) => p.id === saved.value.id));
      } finally {
        await other.close();
      }
    });

    await t.test('a migration run elsewhere (which may change configuration unaudited) refreshes it', async () => {
      const before = await configSnapshot(store);
      const target = before.set.policies.find((p) => p.document.state === 'enabled')!;
      await sql`update ca_policies set state = 'disabled' where id = ${target.id}`.execute(store.db);
      assert.equal(await configSnapshot(store), before, 'no audit entry, no migration: the copy stands');
      const elsewhere = await openStore(ts.database, { migrate: false });
      try {
        await sql`insert into schema_migrations (name, timestamp) values ('9999_test', ${new Date().toISOString()})`.execute(elsewhere.db);
        const after = await configSnapshot(store);
        assert.notEqual(after, before);
        await sql`delete from schema_migrations where name = '9999_test'`.execute(elsewhere.db);
      } finally {
        await elsewhere.close();
      }
      await sql`update ca_policies set state = 'enabled' where id = ${target.id}`.execute(store.db);
    });

    await t.test('any audited change refreshes it; readSigninConfig always reads afresh', async () => {
      const before = await configSnapshot(store);
      await recordAudit(store, { actor: 'test', action: 'test.touch' });
      assert.notEqual(await configSnapshot(store), before);
      const inside = await store.serialized('test.config', (trx) => readSigninConfig(trx));
      assert.notEqual(inside, await configSnapshot(store));
      assert.deepEqual(inside.set.policies.map((p) => p.id), (await configSnapshot(store)).set.policies.map((p) => p.id));
    });
  });
}
