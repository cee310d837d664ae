import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lazyModule } from '../../src/app/lazy.ts';

/** The loader behind the libraries a feature loads on first use (src/app/lazy.ts). */

test('a lazy module is loaded on the first call, once, and every caller gets the same one', async () => {
  let loads = 0;
  const library = lazyModule(async () => ({ n: ++loads }));
  assert.equal(loads, 0, 'nothing is loaded before it is asked for');
  const [a, b] = await Promise.all([library(), library()]);
  assert.equal(loads, 1);
  assert.equal(a, b);
  assert.equal(await library(), a);
});

test('a load that fails is tried again by the next caller', async () => {
  let attempts = 0;
  const library = lazyModule(async () => {
    if (++attempts === 1) throw new Error('not there yet');
    return 'loaded';
  });
  await assert.rejects(library(), /not there yet/);
  assert.equal(await library(), 'loaded');
  assert.equal(attempts, 2);
});

test('a real package loads through it', async () => {
  const nodemailer = lazyModule(async () => (await import('nodemailer')).default);
  assert.equal(typeof (await nodemailer()).createTransport, 'function');
});

test('the directory filter check loads ldapts on first use and still tells a filter from a typo', async () => {
  const { sourceSettingsSchema } = await import('../../src/protocols/ldap/settings.ts');
  const base = { url: 'ldaps://dir.example', bindDn: 'cn=sync,dc=example', users: { baseDn: 'ou=people,dc=example' } };
  assert.ok(sourceSettingsSchema.safeParse({ ...base, users: { ...base.users, filter: '(objectClass=person)' } }).success);
  assert.ok(!sourceSettingsSchema.safeParse({ ...base, users: { ...base.users, filter: '(objectClass=person' } }).success);
});
