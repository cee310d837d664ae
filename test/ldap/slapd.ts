import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCI } from '../support/engines.ts';

/**
 * A real OpenLDAP slapd for the LDAP tests, on a loopback port with a
 * configuration and a seeded tree made for the run (slapd.conf + slapadd),
 * StartTLS with a certificate from a CA made for the run. Stopped with stop().
 */
export const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const LDAPMODIFY = '/usr/bin/ldapmodify';
const OPENSSL = '/usr/bin/openssl';

export function slapdSkip(): { skip?: string } {
  if ((existsSync(SLAPD) && existsSync(LDAPMODIFY) && existsSync(OPENSSL)) || onCI) return {};
  return { skip: 'LDAP tests need OpenLDAP: apt-get install -y slapd ldap-utils openssl' };
}

export const SUFFIX = 'dc=example,dc=org';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
const ROOT_PW = 'root-password-for-tests';
export const SYNC_DN = `cn=tessera-sync,${SUFFIX}`;
export const SYNC_PW = 'sync-account-password-1';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;

/** Everyone's LDAP password in the seed, by uid. */
export const PASSWORDS: Record<string, string> = { alice: 'alice-ldap-pass-1', bob: 'bob-ldap-pass-2', carol: 'carol-ldap-pass-3', dave: 'dave-ldap-pass-4' };

function person(uid: string, name: string, extra: string[] = []): string {
  return [`dn: uid=${uid},${PEOPLE}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${name}`, `sn: ${name.split(' ').pop()}`,
    `displayName: ${name}`, `mail: ${uid}@example.org`, `userPassword: ${PASSWORDS[uid]}`, ...extra, ''].join('\n');
}

const group = (cn: string, members: string[]) =>
  [`dn: cn=${cn},${GROUPS}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...members.map((m) => `member: ${m}`), ''].join('\n');

/** The seed: ou=people with four people (dave disabled), ou=groups with engineering ⊃ platform (nested). */
export const SEED = [
  [`dn: ${SUFFIX}`, 'objectClass: dcObject', 'objectClass: organization', 'o: Example', 'dc: example', ''].join('\n'),
  [`dn: ${SYNC_DN}`, 'objectClass: simpleSecurityObject', 'objectClass: organizationalRole', 'cn: tessera-sync', `userPassword: ${SYNC_PW}`, ''].join('\n'),
  [`dn: ${PEOPLE}`, 'objectClass: organizationalUnit', 'ou: people', ''].join('\n'),
  [`dn: ${GROUPS}`, 'objectClass: organizationalUnit', 'ou: groups', ''].join('\n'),
  person('alice', 'Alice Archer'),
  person('bob', 'Bob Baker'),
  person('carol', 'Carol Cole'),
  person('dave', 'Dave Dunn', ['employeeType: disabled']),
  group('platform', [`uid=carol,${PEOPLE}`]),
  group('engineering', [`uid=alice,${PEOPLE}`, `cn=platform,${GROUPS}`]),
].join('\n');

function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Test LDAP CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
}

function config(dir: string): string {
  return [
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
    `pidfile ${dir}/slapd.pid`,
    'modulepath /usr/lib/ldap', 'moduleload back_mdb',
    `TLSCACertificateFile ${dir}/ca.pem`, `TLSCertificateFile ${dir}/server.pem`, `TLSCertificateKeyFile ${dir}/server.key`,
    'database mdb', `suffix "${SUFFIX}"`, `rootdn "${ROOT_DN}"`, `rootpw ${ROOT_PW}`, `directory ${dir}/db`, 'maxsize 10485760',
    'access to attrs=userPassword by self write by anonymous auth by * none',
    `access to * by dn.exact="${SYNC_DN}" read by users read by * none`,
    '',
  ].join('\n');
}

async function freePort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) => probe.listen(0, '127.0.0.1', () => {
    const a = probe.address();
    probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
  }));
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`slapd exited: ${log()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`slapd did not listen: ${log()}`);
}

export interface Slapd {
  /** ldap:// (StartTLS offered) and ldaps:// on another port, both with the run's certificate. */
  url: string;
  ldapsUrl: string;
  caPem: string;
  /** A CA that did not sign the server's certificate. */
  otherCaPem(): string;
  /** Applies an LDIF change (ldapmodify as the root DN). */
  modify(ldif: string): void;
  stop(): Promise<void>;
}

export async function startSlapd(): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-slapd-'));
  mkdirSync(join(dir, 'db'));
  makeCertificates(dir);
  writeFileSync(join(dir, 'slapd.conf'), config(dir));
  writeFileSync(join(dir, 'seed.ldif'), SEED);
  execFileSync(SLAPADD, ['-f', join(dir, 'slapd.conf'), '-l', join(dir, 'seed.ldif')], { stdio: 'pipe' });
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${await freePort()}`;
  let output = '';
  const child = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', `${url}/ ${ldapsUrl}/`, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  await waitForPort(port, child, () => output);
  return {
    url,
    ldapsUrl,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    otherCaPem() {
      const other = mkdtempSync(join(tmpdir(), 'tessera-other-ca-'));
      execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Not the LDAP CA'], { cwd: other, stdio: 'ignore' });
      const pem = readFileSync(join(other, 'ca.pem'), 'utf8');
      rmSync(other, { recursive: true, force: true });
      return pem;
    },
    modify(ldif) {
      execFileSync(LDAPMODIFY, ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PW], { input: ldif, stdio: ['pipe', 'ignore', 'pipe'] });
    },
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
