import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, engineSkip, onCI } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { createUserWithPassword, totpCode } from '../support/fixtures.ts';
import { importTotp } from '../../src/methods/totp/manage.ts';
import { addRadiusClient } from '../../src/protocols/radius/clients.ts';
import { quoted, radclientSkip, radius } from './support.ts';

/**
 * RadSec (RADIUS over TLS, RFC 6614) through radsecproxy from Debian: radclient
 * speaks UDP to radsecproxy, which forwards over mutual TLS to Tessera.
 */
const RADSECPROXY = '/usr/sbin/radsecproxy';
const PASSWORD = 'violet tangerine lighthouse';
const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const LOCAL_SECRET = 'between-radclient-and-radsecproxy';

function radsecSkip(): { skip?: string } {
  if ((existsSync(RADSECPROXY) && existsSync('/usr/bin/openssl')) || onCI) return {};
  return { skip: 'RadSec tests need radsecproxy and openssl: apt-get install -y radsecproxy openssl' };
}

/** A CA, a server certificate and a client certificate, made for this run. */
function certificates(dir: string) {
  const ssl = (...args: string[]) => execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Test RadSec CA');
  for (const name of ['server', 'client']) {
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}.test`);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=DNS:${name}.test,IP:127.0.0.1\n`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client.key') };
}

function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => {
    const port = s.address().port;
    s.close(() => resolve(port));
  }));
}

for (const engine of ENGINES) {
  test(`RadSec through radsecproxy on ${engine}`, { ...engineSkip(engine), ...radclientSkip(), ...radsecSkip() }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-radsec-'));
    const c = certificates(dir);
    const server = await startTestServer(engine, { radius: { host: '127.0.0.1', port: 0, radsec: { port: 0, cert: c.cert, key: c.key, ca: c.ca } } });
    const proxyPort = await freeUdpPort();
    writeFileSync(join(dir, 'radsecproxy.conf'), `ListenUDP 127.0.0.1:${proxyPort}
LogLevel 3
LogDestination file://${join(dir, 'radsecproxy.log')}
tls tessera {
    CACertificateFile ${c.ca}
    CertificateFile ${c.clientCert}
    CertificateKeyFile ${c.clientKey}
}
client 127.0.0.1 {
    type udp
    secret ${LOCAL_SECRET}
}
server tessera {
    host 127.0.0.1
    port ${server.app.radsec!.address().port}
    type tls
    tls tessera
    CertificateNameCheck off
    secret radsec
}
realm * {
    server tessera
}
`);
    const proxy = spawn(RADSECPROXY, ['-f', '-c', join(dir, 'radsecproxy.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let proxyOut = '';
    proxy.stdout!.on('data', (d: Buffer) => (proxyOut += d));
    proxy.stderr!.on('data', (d: Buffer) => (proxyOut += d));
    t.after(async () => {
      proxy.kill('SIGTERM');
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    // The TLS peer is radsecproxy on this machine: it is the registered client (its own secret is unused over TLS).
    await addRadiusClient(server.ctx.store, server.ctx.secrets, { name: 'radsec-proxy', address: '127.0.0.1', secret: 'unused over TLS, still required' }, { actor: 'test' });
    const alice = await createUserWithPassword(server.ctx, 'alice', PASSWORD);
    await importTotp(server.ctx, alice.id, { secretBase32: SEED, actor: 'test' });
    await new Promise((r) => setTimeout(r, 500));
    const first = await radius(proxyPort, LOCAL_SECRET, { 'User-Name': quoted('alice'), 'User-Password': quoted(PASSWORD) }, { timeoutS: 5 });
    const proxyLog = () => proxyOut + (existsSync(join(dir, 'radsecproxy.log')) ? readFileSync(join(dir, 'radsecproxy.log'), 'utf8') : '');
    assert.equal(first.code, 'Access-Challenge', proxyLog());
    const done = await radius(proxyPort, LOCAL_SECRET, { 'User-Name': quoted('alice'), 'User-Password': quoted(totpCode(SEED)), State: first.attributes.State! }, { timeoutS: 5 });
    assert.equal(done.code, 'Access-Accept');
    const row = await server.ctx.store.db.selectFrom('signin_log').selectAll().where('user_id', '=', alice.id).where('result', '=', 'success').executeTakeFirstOrThrow();
    assert.equal(row.client_id, 'radius:radsec-proxy');
  });
}
