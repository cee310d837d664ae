import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, engineSkip } from '../../../test/support/engines.ts';
import { startTestServer } from '../../../test/support/server.ts';
import { createUserWithPassword } from '../../../test/support/fixtures.ts';
import { createGroup, addGroupMember } from '../../directory/groups.ts';
import { attributeMapSchema, parseAttributeOption } from './attributes.ts';
import { samlSubject } from './subject.ts';

test('an attribute map names each source once, with names an SP can take', () => {
  assert.deepEqual(parseAttributeOption(['email=mail', 'groups=memberOf']), { email: 'mail', groups: 'memberOf' });
  assert.deepEqual(parseAttributeOption(['email=urn:oid:0.9.2342.19200300.100.1.3']), { email: 'urn:oid:0.9.2342.19200300.100.1.3' });
  assert.throws(() => parseAttributeOption(['phone=tel']), /the source one of email, name, username, groups/);
  assert.throws(() => parseAttributeOption(['mail']), /<source>=<name>/);
  assert.equal(attributeMapSchema.safeParse({ email: 'mail', name: 'mail' }).success, false, 'two attributes of one name');
  assert.equal(attributeMapSchema.safeParse({ email: 'a name with spaces' }).success, false);
  assert.equal(attributeMapSchema.safeParse({ email: '<x>' }).success, false);
});

for (const engine of ENGINES) {
  test(`an assertion carries exactly the attributes the SP's map names, under its names, on ${engine}`, engineSkip(engine), async (t) => {
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const { ctx } = server;
    const u = await createUserWithPassword(ctx, 'nina', 'violet tangerine lighthouse');
    await ctx.store.db.updateTable('users').set({ email: 'nina@example.com', display_name: 'Nina N' }).where('id', '=', u.id).execute();
    const g = await createGroup(ctx.store, { name: 'sales' }, { actor: 'test' });
    await addGroupMember(ctx.store, g.id, 'nina', { actor: 'test' });
    const user = { ...u, email: 'nina@example.com', displayName: 'Nina N' };
    const secret = Buffer.alloc(32, 1);
    const byDefault = await samlSubject(ctx.store.db, user, 'email', 'https://sp.example.com', secret);
    assert.deepEqual(byDefault.attributes, [{ name: 'email', values: ['nina@example.com'] }, { name: 'name', values: ['Nina N'] }, { name: 'groups', values: ['sales'] }]);
    const mapped = await samlSubject(ctx.store.db, user, 'email', 'https://sp.example.com', secret, { email: 'mail', username: 'uid', groups: 'memberOf' });
    assert.deepEqual(mapped.attributes, [{ name: 'mail', values: ['nina@example.com'] }, { name: 'uid', values: ['nina'] }, { name: 'memberOf', values: ['sales'] }]);
    assert.deepEqual((await samlSubject(ctx.store.db, user, 'email', 'https://sp.example.com', secret, {})).attributes, [], 'an empty map sends none');
  });
}
