import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { randomBytes, randomInt } from 'node:crypto';
import radiusLib from 'radius';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { openStore } from '../../src/store/store.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { addRadiusClient } from '../../src/protocols/radius/clients.ts';
import { quoted, radclientSkip, radius } from './support.ts';

const PASSWORD = 'violet tangerine lighthouse';
const SECRET = 'the vpn shared secret, long enough';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const by = { actor: 'user:admin' };

test('a challenge started on one node is continued on another over PostgreSQL', { ...engineSkip('postgres'), ...radclientSkip() }, async (t) => {
  const a = await startTestServer('postgres', { radius: { host: '127.0.0.1', port: 0 } });
  const second = await openStore(a.testStore.database);
  const b = await startTestServer('postgres', { radius: { host: '127.0.0.1', port: 0 } }, {
    node: { testStore: { ...a.testStore, store: second, close: () => second.close() }, secrets: a.ctx.secrets },
  });
  t.after(async () => {
    await b.close();
    await a.close();
  });
  await addRadiusClient(a.ctx.store, a.ctx.secrets, { name: 'vpn', address: '127.0.0.1', secret: SECRET }, by);
  const alice = await createUserWithPassword(a.ctx, 'alice', PASSWORD);
  await importTotp(a.ctx, alice.id, { secretBase32: SEED, actor: 'test' });
  const first = await radius(a.app.radius!.address().port, SECRET, { 'User-Name': quoted('alice'), 'User-Password': quoted(PASSWORD) });
  assert.equal(first.code, 'Access-Challenge');
  const done = await radius(b.app.radius!.address().port, SECRET, { 'User-Name': quoted('alice'), 'User-Password': quoted(totpCode(SEED)), State: first.attributes.State! });
  assert.equal(done.code, 'Access-Accept', 'the State names a stored transaction any node continues');
});

/** A valid Access-Request to mutate: right secret, right Message-Authenticator. */
function validRequest(): Buffer {
  return radiusLib.encode({
    code: 'Access-Request', secret: SECRET, identifier: randomInt(256),
    attributes: [['User-Name', 'alice'], ['User-Password', PASSWORD], ['NAS-IP-Address', '127.0.0.1']],
    add_message_authenticator: true,
  });
}

function mutate(packet: Buffer): Buffer {
  const p = Buffer.from(packet);
  switch (randomInt(4)) {
    case 0: // flip a few bits anywhere
      for (let i = randomInt(1, 4); i > 0; i--) p[randomInt(p.length)]! ^= 1 << randomInt(8);
      return p;
    case 1: // a length that lies
      p.writeUInt16BE(randomInt(65536), 2);
      return p;
    case 2: // cut short
      return p.subarray(0, randomInt(p.length));
    default: // an attribute length that lies
      if (p.length > 21) p[21] = randomInt(256);
      return p;
  }
}

for (const engine of ENGINES) {
  test(`100,000 malformed packets neither crash the RADIUS server nor stop it answering on ${engine}`, { ...engineSkip(engine), ...radclientSkip() }, async (t) => {
    const server = await startTestServer(engine, { radius: { host: '127.0.0.1', port: 0 } });
    t.after(() => server.close());
    await addRadiusClient(server.ctx.store, server.ctx.secrets, { name: 'vpn', address: '127.0.0.1', secret: SECRET }, by);
    const port = server.app.radius!.address().port;
    assert.equal((await radius(port, SECRET, {}, { code: 'status' })).code, 'Access-Accept');
    const socket = createSocket('udp4');
    const template = validRequest();
    const deadline = Date.now() + 60_000;
    let sent = 0;
    while (sent < 100_000 && Date.now() < deadline) {
      const batch: Promise<void>[] = [];
      for (let i = 0; i < 500; i++, sent++) {
        const packet = i % 2 ? randomBytes(randomInt(0, 300)) : mutate(template);
        batch.push(new Promise((resolve) => socket.send(packet, port, '127.0.0.1', () => resolve())));
      }
      await Promise.all(batch);
      // Let the server breathe between batches, as a flood on a real network would be spread out.
      await new Promise((r) => setImmediate(r));
    }
    socket.close();
    assert.equal(sent, 100_000, 'all sent within the time bound');
    await new Promise((r) => setTimeout(r, 500));
    const dropped = [...server.app.radius!.drops.values()].reduce((x, y) => x + y, 0);
    assert.ok(dropped > 1000, `the noise was read and dropped (${dropped})`);
    assert.equal(server.app.radius!.drops.get('failed') ?? 0, 0, 'nothing failed inside the server');
    assert.equal((await radius(port, SECRET, {}, { code: 'status' })).code, 'Access-Accept', 'still answering');
  });
}
