import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCI } from '../support/engines.ts';

/**
 * A real SAML service provider nobody here wrote: Apache httpd with Debian's
 * mod_auth_mellon, in the foreground on a loopback port of its own, with a
 * config, keys and metadata in a temp dir (never the system service). /protected/
 * needs a mellon sign-in; /protected/env.cgi prints what mellon passed on;
 * /mellon/logout?ReturnTo=/loggedout.html starts a Single Logout.
 * Without apache2 and mellon the tests skip on a laptop and fail on CI.
 */
const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const MELLON_METADATA = '/usr/sbin/mellon_create_metadata';

export function mellonSkip(): { skip?: string } {
  const missing = [APACHE, join(MODULES, 'mod_auth_mellon.so'), MELLON_METADATA].filter((p) => !existsSync(p));
  if (!missing.length || onCI) return {};
  return { skip: `SAML tests need Apache with mod_auth_mellon (missing ${missing.join(', ')}): apt-get install -y apache2 libapache2-mod-auth-mellon` };
}

export interface MellonSp {
  origin: string;
  entityId: string;
  /** The name of mellon's session cookie for this SP. */
  cookieName: string;
  /** The SP's metadata, to register with Tessera. */
  metadata: string;
  /** The SP's signing key (PEM), for tests that forge or alter its requests. */
  privateKey: string;
  /** Starts Apache once Tessera's metadata is known. */
  start(idpMetadata: string, options?: { authnContext?: string }): Promise<void>;
  /** Stops Apache and starts it again with new IdP metadata (mellon reads it at start). */
  restart(idpMetadata: string, options?: { authnContext?: string }): Promise<void>;
  /** The error log, for a failing test's message. */
  log(): string;
  close(): Promise<void>;
}

/** mellon names its cookie mellon-<variable>. */
function cookieVariable(port: number): string {
  return `sp${port}`;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) => probe.listen(0, '127.0.0.1', () => {
    const a = probe.address();
    probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
  }));
}

function config(dir: string, port: number, files: { key: string; cert: string; sp: string }, authnContext?: string): string {
  const mod = (name: string, file: string) => `LoadModule ${name} ${MODULES}/${file}`;
  // Apache started by root hands its children to an unprivileged user; elsewhere it stays who it is.
  const user = process.getuid?.() === 0 ? 'User nobody\nGroup nogroup' : '';
  return `ServerRoot "${dir}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "${dir}/httpd.pid"
DefaultRuntimeDir "${dir}"
ErrorLog "${dir}/error.log"
LogLevel warn auth_mellon:info
${user}
${mod('mpm_prefork_module', 'mod_mpm_prefork.so')}
${mod('authz_core_module', 'mod_authz_core.so')}
${mod("authz_user_module", "mod_authz_user.so")}
${mod('authn_core_module', 'mod_authn_core.so')}
${mod('alias_module', 'mod_alias.so')}
${mod('cgi_module', 'mod_cgi.so')}
${mod('setenvif_module', 'mod_setenvif.so')}
${mod('auth_mellon_module', 'mod_auth_mellon.so')}
StartServers 1
MinSpareServers 1
MaxSpareServers 2
DocumentRoot "${dir}/www"
# mellon's cookie test always says SameSite=None, which Chromium drops without Secure (this SP is plain
# http). Without a SameSite attribute the browser treats it as Lax, and the POST from Tessera on
# another port of 127.0.0.1 is same-site, so the cookie comes back with it.
SetEnvIf Request_URI "^" MELLON_DISABLE_SAMESITE=1
ScriptAlias /protected/env.cgi "${dir}/www/env.cgi"
<Location />
  Require all granted
  MellonEnable info
  MellonEndpointPath /mellon
  MellonSPPrivateKeyFile "${files.key}"
  MellonSPCertFile "${files.cert}"
  MellonSPMetadataFile "${files.sp}"
  MellonIdPMetadataFile "${dir}/idp.xml"
  # Two test SPs share the host 127.0.0.1 (cookies ignore the port): a cookie name each.
  MellonVariable "${cookieVariable(port)}"
  MellonSecureCookie Off
  MellonCookieSameSite lax
  MellonUser NAME_ID
  # Where an IdP-initiated sign-in without a RelayState lands.
  MellonDefaultLoginPath /protected/env.cgi
  # The whole signed Response as MELLON_SAML_RESPONSE, so a test can read what Tessera sent.
  MellonSamlResponseDump On
  ${authnContext ? `MellonAuthnContextClassRef "${authnContext}"` : ''}
</Location>
<Location /protected>
  AuthType Mellon
  MellonEnable auth
  Require valid-user
</Location>
`;
}

export async function createMellonSp(): Promise<MellonSp> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-mellon-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const entityId = `${origin}/mellon/metadata`;
  execFileSync(MELLON_METADATA, [entityId, `${origin}/mellon`], { cwd: dir, stdio: 'ignore' });
  const base = readdirSync(dir).find((f) => f.endsWith('.xml'))!.replace(/\.xml$/, '');
  const files = { key: join(dir, `${base}.key`), cert: join(dir, `${base}.cert`), sp: join(dir, `${base}.xml`) };
  for (const f of Object.values(files)) chmodSync(f, 0o644);
  execFileSync('mkdir', ['-p', join(dir, 'www')]);
  chmodSync(join(dir, 'www'), 0o755);
  const cgi = join(dir, 'www', 'env.cgi');
  writeFileSync(cgi, '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\n"\nenv | grep -E "^(MELLON_|REMOTE_USER=)" | sort\n');
  chmodSync(cgi, 0o755);
  writeFileSync(join(dir, 'www', 'loggedout.html'), '<!DOCTYPE html><title>Signed out</title><p id="signed-out">Signed out of the test app</p>\n', { mode: 0o644 });
  let proc: ChildProcess | null = null;
  const readLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
  async function start(idpMetadata: string, options: { authnContext?: string } = {}): Promise<void> {
    writeFileSync(join(dir, 'idp.xml'), idpMetadata, { mode: 0o644 });
    writeFileSync(join(dir, 'httpd.conf'), config(dir, port, files, options.authnContext));
    // A process group of its own: on shutdown Apache signals its whole group, which would otherwise be the test runner's.
    proc = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 100; i++) {
      if (proc.exitCode !== null) throw new Error(`Apache did not start: ${stderr}${readLog()}`);
      const up = await fetch(`${origin}/mellon/metadata`).then((r) => r.ok, () => false);
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Apache did not answer on ${origin}: ${stderr}${readLog()}`);
  }
  async function stop(): Promise<void> {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  }
  return {
    origin,
    entityId,
    cookieName: `mellon-${cookieVariable(port)}`,
    metadata: readFileSync(files.sp, 'utf8'),
    privateKey: readFileSync(files.key, 'utf8'),
    start,
    async restart(idpMetadata, options = {}) {
      await stop();
      await start(idpMetadata, options);
    },
    log: readLog,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
