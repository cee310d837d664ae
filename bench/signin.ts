/**
 * Password + TOTP sign-ins per second through one server process, as a ratio
 * to raw argon2id hashes per second on one thread (the physical limit of a
 * password sign-in). Both are measured in this run, on this machine.
 *
 *   node bench/signin.ts [seconds=10] [concurrency=8]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { hashSync } from '@node-rs/argon2';
import { loadConfig } from '../src/config/config.ts';
import { createContext } from '../src/app/context.ts';
import { createUserWithPassword } from '../test/support/fixtures.ts';
import { importTotp } from '../src/methods/totp/manage.ts';
import { insertUser } from '../src/directory/users.ts';
import { ARGON2_PARAMS } from '../src/methods/password/hash.ts';
import { hiddenCsrf, keepCookies } from '../test/support/http-client.ts';
import { Agent, request as httpRequest } from 'node:http';

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 8);
const PASSWORD = 'violet tangerine lighthouse';

function argon2HashesPerSecond(ms = 3000): number {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    hashSync(`password-${n}`, { algorithm: 2, ...ARGON2_PARAMS });
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
const port = 3900 + Math.floor(Math.random() * 90);
const env = {
  ...process.env,
  TESSERA_DATA_DIR: dataDir,
  TESSERA_MASTER_KEY: randomBytes(32).toString('base64'),
  PORT: String(port),
  TESSERA_ISSUER: `http://127.0.0.1:${port}`,
  TESSERA_LOG_LEVEL: 'warn', TESSERA_RADIUS_PORT: '0',
};

// Users: each signs in once (a TOTP code is accepted once per credential), so make enough.
const users = Math.ceil(seconds * 250);
const secret = new OTPAuth.Secret({ size: 20 }).base32;
{
  const ctx = await createContext(loadConfig(env), {});
  const first = await createUserWithPassword(ctx, 'bench-0', PASSWORD);
  const hash = (await ctx.store.db.selectFrom('password_credentials').select('hash').where('user_id', '=', first.id).executeTakeFirstOrThrow()).hash;
  await importTotp(ctx, first.id, { secretBase32: secret, actor: 'bench' });
  // Reusing one argon2id hash keeps set-up fast; each verification still costs a full hash.
  for (let i = 1; i < users; i++) {
    const u = await ctx.store.db.transaction().execute((trx) => insertUser(trx, { username: `bench-${i}` }));
    const now = new Date().toISOString();
    await ctx.store.db.insertInto('password_credentials').values({ user_id: u.id, hash, created_at: now, updated_at: now, last_used_at: null }).execute();
    await importTotp(ctx, u.id, { secretBase32: secret, actor: 'bench' });
  }
  await ctx.store.close();
}

const before = argon2HashesPerSecond();
const server = spawn(process.execPath, ['bin/tessera.js', 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('running at') && resolve()));

/**
 * The load generator shares the machine's two cores with the server, so it
 * is kept lean: node:http over kept-alive connections (as a browser reuses
 * its connections), a cookie jar per sign-in, the same requests a browser makes.
 */
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
class LeanBrowser {
  readonly cookies = new Map<string, string>();
  request(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<{ status: number; location: string | null; body: string }> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    const body = form ? new URLSearchParams(form).toString() : undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        keepCookies(this.cookies, res.headers['set-cookie'] ?? []);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
let next = 0;
let done = 0;
let failed = 0;
async function signIn(username: string): Promise<boolean> {
  const b = new LeanBrowser();
  const start = await b.request('GET', '/signin?return_to=/account');
  const path = start.location!;
  const csrf = hiddenCsrf((await b.request('GET', path)).body);
  await b.request('POST', `${path}/username`, { csrf, username });
  const pw = await b.request('POST', `${path}/password`, { csrf, password: PASSWORD });
  if (pw.status !== 303) return false;
  const code = await b.request('POST', `${path}/totp`, { csrf, code: totp.generate() });
  return code.status === 303 && code.location === '/account';
}
const deadline = Date.now() + seconds * 1000;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline && next < users) {
      if (await signIn(`bench-${next++}`)) done++;
      else failed++;
    }
  }),
);
const elapsed = (performance.now() - t0) / 1000;
agent.destroy();
server.kill('SIGTERM');
await new Promise((r) => server.on('exit', r));
const after = argon2HashesPerSecond();
rmSync(dataDir, { recursive: true, force: true });

const hashes = (before + after) / 2;
const signins = done / elapsed;
console.log(`argon2id (19 MiB, t=2, p=1) hashes/s on one thread: ${hashes.toFixed(1)} (before ${before.toFixed(1)}, after ${after.toFixed(1)})`);
console.log(`password+TOTP sign-ins/s, one server process, ${concurrency} clients: ${signins.toFixed(1)} (${done} ok, ${failed} failed, ${elapsed.toFixed(1)} s)`);
console.log(`ratio sign-ins/s ÷ hashes/s: ${(signins / hashes).toFixed(2)} (goal ≥ 0.9)`);
