import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client, SearchOptions } from 'ldapts';
import { inChainFilter, normalDn, readDirectory } from './read.ts';
import { sourceSettingsSchema, transportProblem, withFlavorDefaults } from './settings.ts';

const ad = withFlavorDefaults(sourceSettingsSchema.parse({
  url: 'ldaps://dc1.corp.example', flavor: 'ad', bindDn: 'CN=svc,DC=corp,DC=example',
  users: { baseDn: 'OU=Staff,DC=corp,DC=example' }, groups: { baseDn: 'OU=Groups,DC=corp,DC=example' },
}));

test('values from the directory never become filter syntax: a group DN with ( ) * \\ is escaped (RFC 4515)', () => {
  const f = inChainFilter(ad, 'CN=R&D (all) *\\,OU=Groups,DC=corp,DC=example').toString();
  assert.equal(f, '(&(&(objectCategory=person)(objectClass=user))(memberOf:1.2.840.113556.1.4.1941:=CN=R&D \\28all\\29 \\2a\\5c,OU=Groups,DC=corp,DC=example))');
});

test('DNs compare without case or spaces around separators', () => {
  assert.equal(normalDn('CN=Alice Archer, OU=Staff ,DC=corp'), 'cn=alice archer,ou=staff,dc=corp');
});

test('AD defaults: sAMAccountName, person users, groups; a plain ldap:// URL needs StartTLS or an explicit allowance', () => {
  assert.equal(ad.users.usernameAttribute, 'sAMAccountName');
  assert.equal(transportProblem(ad), null);
  const plain = sourceSettingsSchema.parse({ url: 'ldap://dc1', bindDn: 'cn=x', users: { baseDn: 'dc=x' } });
  assert.match(transportProblem(plain)!, /in clear/);
  assert.equal(transportProblem({ ...plain, startTls: true }), null);
  assert.equal(transportProblem({ ...plain, allowPlain: true }), null);
  assert.throws(() => sourceSettingsSchema.parse({ ...plain, users: { baseDn: 'dc=x', filter: '(uid=a' } }), /not an LDAP filter/);
});

test('AD: userAccountControl bit 2 disables; nested membership is asked of the server with the in-chain rule', async () => {
  const asked: string[] = [];
  const people = [
    { dn: 'CN=Alice,OU=Staff,DC=corp,DC=example', sAMAccountName: 'alice', mail: 'alice@corp.example', displayName: 'Alice', userAccountControl: '512' },
    { dn: 'CN=Bob,OU=Staff,DC=corp,DC=example', sAMAccountName: 'bob', mail: 'bob@corp.example', displayName: 'Bob', userAccountControl: '514' },
  ];
  const fake = {
    async search(base: string, o: SearchOptions) {
      const filter = String(o.filter);
      asked.push(filter);
      if (base.startsWith('OU=Groups')) return { searchEntries: [{ dn: 'CN=VPN,OU=Groups,DC=corp,DC=example', cn: 'VPN', member: ['CN=Nested,OU=Groups,DC=corp,DC=example'] }], searchReferences: [] };
      if (filter.includes('1.2.840.113556.1.4.1941')) return { searchEntries: [{ dn: 'CN=Alice,OU=Staff,DC=corp,DC=example' }], searchReferences: [] };
      return { searchEntries: people, searchReferences: [] };
    },
  } as unknown as Client;
  const snap = await readDirectory(fake, ad);
  assert.deepEqual(snap.people.map((p) => [p.username, p.disabled]), [['alice', false], ['bob', true]]);
  assert.deepEqual(snap.groups, [{ dn: 'CN=VPN,OU=Groups,DC=corp,DC=example', name: 'VPN', memberDns: ['cn=alice,ou=staff,dc=corp,dc=example'] }]);
  assert.ok(asked.includes('(&(&(objectCategory=person)(objectClass=user))(memberOf:1.2.840.113556.1.4.1941:=CN=VPN,OU=Groups,DC=corp,DC=example))'));
});

test('OpenLDAP: nesting is walked through member DNs, a cycle ends', async () => {
  const s = withFlavorDefaults(sourceSettingsSchema.parse({ url: 'ldaps://ldap', bindDn: 'cn=x', users: { baseDn: 'ou=people' }, groups: { baseDn: 'ou=groups' } }));
  const fake = {
    async search(base: string) {
      if (base === 'ou=groups') {
        return { searchEntries: [
          { dn: 'cn=a,ou=groups', cn: 'a', member: ['cn=b,ou=groups', 'uid=x,ou=people'] },
          { dn: 'cn=b,ou=groups', cn: 'b', member: ['cn=a,ou=groups', 'uid=y,ou=people', 'uid=stranger,ou=elsewhere'] },
        ], searchReferences: [] };
      }
      return { searchEntries: [{ dn: 'uid=x,ou=people', uid: 'x' }, { dn: 'uid=y,ou=people', uid: 'y' }], searchReferences: [] };
    },
  } as unknown as Client;
  const snap = await readDirectory(fake, s);
  assert.deepEqual(snap.groups.map((g) => [g.name, g.memberDns]), [['a', ['uid=x,ou=people', 'uid=y,ou=people']], ['b', ['uid=x,ou=people', 'uid=y,ou=people']]]);
});
