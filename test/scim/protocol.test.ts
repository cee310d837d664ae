import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import { babsJensen, ENTERPRISE, ERROR, LIST_RESPONSE, ScimClient, USER, GROUP, type ScimResponse } from './client.ts';

/** RFC 7644 §3.12: an error is an Error message with the HTTP status as a string and, for a 400 or 409, a scimType. */
function assertError(res: ScimResponse, status: number, scimType?: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.contentType ?? '', /^application\/scim\+json/);
  assert.deepEqual(res.body.schemas, [ERROR]);
  assert.equal(res.body.status, String(status));
  assert.equal(res.body.scimType, scimType);
  assert.ok(res.body.detail && res.body.detail.length > 5, 'a reason');
}

for (const engine of ENGINES) {
  test(`SCIM: users, groups, filters, PATCH and errors on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const provisioning = await createApiToken(server.ctx.store, { role: 'provisioning', name: 'HR system' }, { actor: 'test' });
    const scim = new ScimClient(`${server.url}/scim/v2`, provisioning.token);

    await t.test('only a token of the provisioning role is let in', async () => {
      assertError(await new ScimClient(scim.base, 'tsk_nope_nope').query('Users'), 401);
      const auditor = await createApiToken(server.ctx.store, { role: 'auditor' }, { actor: 'test' });
      assertError(await new ScimClient(scim.base, auditor.token).query('Users'), 403);
    });

    await t.test('discovery: ServiceProviderConfig, ResourceTypes, Schemas', async () => {
      const spc = await scim.request('GET', '/ServiceProviderConfig');
      assert.equal(spc.status, 200);
      assert.equal((spc.body['patch'] as { supported: boolean }).supported, true);
      assert.equal((spc.body['filter'] as { supported: boolean }).supported, true);
      const types = await scim.request('GET', '/ResourceTypes');
      assert.deepEqual(types.body.Resources!.map((r) => r.id), ['User', 'Group']);
      const schemas = await scim.request('GET', '/Schemas');
      assert.deepEqual(schemas.body.Resources!.map((r) => r.id).sort(), [GROUP, USER, ENTERPRISE].sort());
      assert.equal((await scim.request('GET', `/Schemas/${USER}`)).body.id, USER);
      const used = await server.ctx.store.db.selectFrom('api_tokens').select(['last_used_at', 'last_used_ip']).where('id', '=', provisioning.id).executeTakeFirstOrThrow();
      assert.ok(used.last_used_at, 'the provisioning token\'s last use is kept');
      assert.equal(used.last_used_ip, '127.0.0.1', 'with the address it came from');
    });

    let babs = '';
    await t.test('create a user (RFC 7643 §8.2 with the enterprise extension)', async () => {
      const res = await scim.create('Users', babsJensen());
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.contentType ?? '', /^application\/scim\+json/);
      babs = res.body.id!;
      assert.equal(res.location, `${scim.base}/Users/${babs}`);
      assert.equal(res.body.meta?.location, res.location);
      assert.equal(res.body.userName, 'bjensen@example.com');
      assert.equal(res.body.externalId, '701984');
      assert.equal(res.body.displayName, 'Babs Jensen');
      assert.equal(res.body.active, true);
      assert.deepEqual(res.body.emails, [{ value: 'bjensen@example.com', type: 'work', primary: true }]);
      assert.equal((res.body[ENTERPRISE] as { department: string }).department, 'Tour Operations');
      const again = await scim.get('Users', babs);
      assert.deepEqual(again.body, res.body);
      assertError(await scim.create('Users', babsJensen({ userName: 'BJensen@Example.com' })), 409, 'uniqueness');
    });

    await t.test('bad input gets a 400 with its scimType, never a 500', async () => {
      assertError(await scim.create('Users', { schemas: [USER] }), 400, 'invalidValue');
      assertError(await scim.create('Users', { schemas: [USER], userName: 'x', emails: [{ value: 'not-an-address' }] }), 400, 'invalidValue');
      assertError(await scim.create('Users', { schemas: [USER], userName: 'pw', password: 't1meMa$heen' }), 400, 'mutability');
      assertError(await scim.request('POST', '/Users', undefined, '{"userName": '), 400, 'invalidSyntax');
      assertError(await scim.get('Users', '2819c223-7f76-453a-919d-413861904646'), 404);
      assertError(await scim.query('Users', { filter: 'userName eq' }), 400, 'invalidFilter');
      assertError(await scim.patch('Users', babs, [{ op: 'replace', path: 'emails[type eq "home"].value', value: 'x@example.com' }]), 400, 'noTarget');
      assertError(await scim.patch('Users', babs, [{ op: 'replace', path: 'not a path!', value: 1 }]), 400, 'invalidPath');
      // readOnly attributes (RFC 7643 §7, RFC 7644 §3.5.2): a PATCH naming them is refused, nothing changes.
      assertError(await scim.patch('Users', babs, [{ op: 'replace', path: 'id', value: 'another-id' }]), 400, 'mutability');
      assertError(await scim.patch('Users', babs, [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }]), 400, 'mutability');
      assertError(await scim.patch('Users', babs, [{ op: 'remove', path: 'meta.created' }]), 400, 'mutability');
      assertError(await scim.patch('Users', babs, [{ op: 'replace', value: { id: 'another-id', title: 'x' } }]), 400, 'mutability');
    });

    const people: Record<string, string> = { babs };
    await t.test('filters: eq, co, sw, pr, and, or; pagination', async () => {
      for (const [userName, family, title] of [['ajones', 'Jones', 'Engineer'], ['cjensen', 'Jensen', null], ['dsmith', 'Smith', 'Engineer']] as const) {
        const res = await scim.create('Users', { schemas: [USER], userName, name: { familyName: family, givenName: userName.slice(1) }, emails: [{ value: `${userName}@example.org`, type: 'work' }], ...(title ? { title } : {}) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        people[userName] = res.body.id!;
      }
      const names = async (filter: string) => (await scim.query('Users', { filter })).body.Resources!.map((r) => r.userName);
      assert.deepEqual(await names('userName eq "BJENSEN@example.com"'), ['bjensen@example.com'], 'eq ignores case');
      assert.deepEqual(await names('emails co "example.org"'), ['ajones', 'cjensen', 'dsmith']);
      assert.deepEqual(await names('name.familyName sw "jen"'), ['bjensen@example.com', 'cjensen']);
      assert.deepEqual(await names('title pr'), ['ajones', 'bjensen@example.com', 'dsmith']);
      assert.deepEqual(await names('title eq "Engineer" and name.familyName eq "Smith"'), ['dsmith']);
      assert.deepEqual(await names('userName eq "ajones" or (emails[type eq "work" and value sw "dsmith"])'), ['ajones', 'dsmith']);
      assert.deepEqual(await names(`${ENTERPRISE}:department eq "Tour Operations"`), ['bjensen@example.com']);
      const page = await scim.query('Users', { startIndex: 2, count: 2 });
      assert.deepEqual(page.body.schemas, [LIST_RESPONSE]);
      assert.equal(page.body.totalResults, 4);
      assert.equal(page.body.startIndex, 2);
      assert.equal(page.body.itemsPerPage, 2);
      assert.deepEqual(page.body.Resources!.map((r) => r.userName), ['bjensen@example.com', 'cjensen']);
      const slim = await scim.query('Users', { filter: 'userName eq "ajones"', attributes: 'userName' });
      assert.deepEqual(Object.keys(slim.body.Resources![0]!).sort(), ['id', 'meta', 'schemas', 'userName']);
    });

    let group = '';
    await t.test('groups: create with members, PATCH add and remove members, rename', async () => {
      const created = await scim.create('Groups', { schemas: [GROUP], displayName: 'Tour Guides', externalId: 'g-1', members: [{ value: babs, display: 'Babs Jensen' }] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      group = created.body.id!;
      assert.deepEqual(created.body.members!.map((m) => m.value), [babs]);
      assertError(await scim.create('Groups', { schemas: [GROUP], displayName: 'tour guides' }), 409, 'uniqueness');
      // RFC 7644 §3.5.2.1: add members.
      const added = await scim.patch('Groups', group, [{ op: 'add', path: 'members', value: [{ value: people['ajones'] }, { value: people['dsmith'] }] }]);
      assert.equal(added.status, 200, JSON.stringify(added.body));
      assert.deepEqual(added.body.members!.map((m) => m.display), ['ajones', 'bjensen@example.com', 'dsmith']);
      // §3.5.2.2: remove one member by a value filter.
      const removed = await scim.patch('Groups', group, [{ op: 'remove', path: `members[value eq "${people['ajones']}"]` }]);
      assert.deepEqual(removed.body.members!.map((m) => m.display), ['bjensen@example.com', 'dsmith']);
      // §3.5.2.3: replace all members, and the name.
      const replaced = await scim.patch('Groups', group, [
        { op: 'replace', path: 'members', value: [{ value: people['cjensen'] }] },
        { op: 'replace', value: { displayName: 'Guides' } },
      ]);
      assert.equal(replaced.body.displayName, 'Guides');
      assert.deepEqual(replaced.body.members!.map((m) => m.display), ['cjensen']);
      assertError(await scim.patch('Groups', group, [{ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] }]), 400, 'invalidValue');
      const user = await scim.get('Users', people['cjensen']!);
      assert.deepEqual(user.body.groups, [{ value: group, display: 'Guides', $ref: `${scim.base}/Groups/${group}` }]);
      const found = await scim.query('Groups', { filter: 'displayName eq "guides"', excludedAttributes: 'members' });
      assert.deepEqual(found.body.Resources!.map((g) => [g.id, g.members]), [[group, undefined]]);
    });

    await t.test('users: PATCH and PUT change what they name, and only that', async () => {
      const patched = await scim.patch('Users', babs, [
        { op: 'replace', path: 'name.givenName', value: 'Babs' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Marketing' },
        { op: 'remove', path: 'title' },
      ]);
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.name?.givenName, 'Babs');
      assert.equal(patched.body.title, undefined);
      assert.equal((patched.body[ENTERPRISE] as { department: string; costCenter: string }).department, 'Marketing');
      assert.equal((patched.body[ENTERPRISE] as { costCenter: string }).costCenter, '4130');
      const put = await scim.replace('Users', people['dsmith']!, { schemas: [USER], userName: 'dsmith2', displayName: 'Dee Smith', emails: [{ value: 'dee@example.org' }] });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.userName, 'dsmith2');
      assert.equal(put.body.title, undefined, 'PUT replaces: what it leaves out is gone');
      assert.deepEqual(put.body.groups!.map((g) => g.value), [], 'groups are changed through Groups only');
      assertError(await scim.replace('Users', people['dsmith']!, { schemas: [USER], userName: 'ajones' }), 409, 'uniqueness');
    });

    await t.test('every change is audited as the provisioning client', async () => {
      const rows = await server.ctx.store.db.selectFrom('audit_log').select(['actor', 'action']).where('actor', '=', `token:${provisioning.id}`).execute();
      const actions = new Set(rows.map((r) => r.action));
      for (const a of ['user.create', 'user.update', 'group.create', 'group.update', 'group.member.add', 'group.member.remove']) assert.ok(actions.has(a), a);
    });

    await t.test('delete a group', async () => {
      assert.equal((await scim.delete('Groups', group)).status, 204);
      assertError(await scim.get('Groups', group), 404);
    });
  });
}
