import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { injectedServer } from '../foundation/support.ts';
import { startTestServer } from '../support/server.ts';
import { Browserish, hiddenCsrf } from '../support/http-client.ts';
import { createUserWithPassword } from '../support/fixtures.ts';
import { issuePushEnrolment } from '../../src/methods/push/enrol.ts';
import { enrolmentSigningString } from '../../src/methods/push/protocol.ts';

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** Cases the fuzz tests found, kept as plain tests so they stay fixed whatever the seed. */
for (const engine of ENGINES) {
  test(`text with a NUL character is a 400, not a database error, on ${engine}`, engineSkip(engine), async (t) => {
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const token = await s.token('global_admin');
    // Found by test/fuzz/admin-api.test.ts: PostgreSQL refused the NUL in the query and the API answered 500.
    const inQuery = await s.call('GET', '/api/admin/alerts?kind=%00x', { token });
    assert.equal(inQuery.statusCode, 400, inQuery.body);
    assert.match(JSON.parse(inQuery.body).message, /NUL/);
    const inBody = await s.call('POST', '/api/admin/groups', { token, body: { name: 'staff', description: 'a\u0000b' } });
    assert.equal(inBody.statusCode, 400, inBody.body);
    const inPath = await s.call('GET', '/api/admin/users/%00', { token });
    assert.equal(inPath.statusCode, 400, inPath.body);
    assert.equal((await s.call('GET', '/api/admin/alerts?kind=x', { token })).statusCode, 200, 'other text is unchanged');
  });
}

for (const engine of ENGINES) {
  test(`a sign-in name with a NUL character is a 400, not a database error, on ${engine}`, engineSkip(engine), async (t) => {
    // Found by test/fuzz/signin-forms.test.ts: the username step looked the name up and PostgreSQL answered with an error (a 500).
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const b = new Browserish(server.url);
    const path = (await b.request('GET', '/signin')).location!;
    const csrf = hiddenCsrf((await b.request('GET', path)).body);
    const r = await b.request('POST', `${path}/username`, { csrf, username: 'sam\u0000' });
    assert.equal(r.status, 400, r.body);
    const next = await b.request('POST', `${path}/username`, { csrf, username: 'sam' });
    assert.equal(next.status, 303, 'the sign-in carries on with a proper name');
  });
}

for (const engine of ENGINES) {
  test(`an authenticator label with a NUL character is a 400, not a database error, on ${engine}`, engineSkip(engine), async (t) => {
    // Found by test/fuzz/push-protocol.test.ts: a real enrolment with such a label reached PostgreSQL as a 500.
    const server = await startTestServer(engine);
    t.after(() => server.close());
    const user = await createUserWithPassword(server.ctx, 'nel', 'violet tangerine lighthouse');
    const { token } = await issuePushEnrolment(server.ctx.store, user.id, { actor: 'test' });
    const pair = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const publicKey = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
    const signed = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(enrolmentSigningString(token)));
    const enrol = (label: string) => fetch(`${server.url}/push/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, publicKey, proof: Buffer.from(signed).toString('base64url'), label }),
    });
    const refused = await enrol('phone\u0000');
    assert.equal(refused.status, 400, await refused.text());
    assert.equal((await enrol('phone')).status, 201, 'the same enrolment with a proper label works');
  });
}

for (const engine of ENGINES) {
  test(`a SCIM user with a NUL character in a name is a SCIM 400, not a database error, on ${engine}`, engineSkip(engine), async (t) => {
    // Found while checking the fuzz finding beyond the fuzzed surfaces: SCIM keeps its own context, and PostgreSQL answered 500.
    const s = await injectedServer(engine);
    t.after(() => s.close());
    const token = await s.token('provisioning');
    const user = (displayName: string) => s.call('POST', '/scim/v2/Users', {
      token,
      headers: { 'content-type': 'application/scim+json' },
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ab', displayName },
    });
    const refused = await user('x\u0000');
    assert.equal(refused.statusCode, 400, refused.body);
    assert.deepEqual(JSON.parse(refused.body).schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    assert.equal((await user('Ab')).statusCode, 201);
  });
}
