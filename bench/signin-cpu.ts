/**
 * Server CPU per password + TOTP sign-in through the full OpenID Connect path
 * (authorization request → sign-in pages → code → token), read from the
 * server process's own accounting (/proc/<pid>/stat: every thread, the argon2
 * pool included). With --against DIR it alternates this checkout (A) and
 * another one (B, e.g. a worktree of the commit before a change) round by
 * round, A B A B, and prints the median and range of the pairwise ratios A/B.
 *
 *   node bench/signin-cpu.ts [rounds=4] [signins=120] [--against DIR]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { httpClient, oidcSignIn } from './lib/oidc-client.ts';
import { cpuSeconds } from './lib/process.ts';
import { median } from './lib/stats.ts';
import * as OTPAuth from 'otpauth';
import { PASSWORD, REDIRECT } from './lib/tessera.ts';

const args = process.argv.slice(2);
const againstAt = args.indexOf('--against');
const against = againstAt >= 0 ? resolve(args[againstAt + 1]!) : null;
const positional = args.filter((a, i) => !a.startsWith('--') && (againstAt < 0 || i !== againstAt + 1));
const rounds = Number(positional[0] ?? 4);
const signins = Number(positional[1] ?? 120);
const WARMUP = 20;

interface Prepared {
  env: NodeJS.ProcessEnv;
  port: number;
  dataDir: string;
  secret: string;
  clientSecret: string;
}

/** A fresh data dir with users and an app, made with the checkout's own modules. */
async function prepare(tree: string, users: number): Promise<Prepared> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-cpu-'));
  const port = 3900 + Math.floor(Math.random() * 90);
  const env = {
    ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), PORT: String(port),
    TESSERA_ISSUER: `http://127.0.0.1:${port}`, TESSERA_LOG_LEVEL: 'warn', TESSERA_RADIUS_PORT: '0', TESSERA_WORKERS: '1',
  };
  const load = (p: string) => import(pathToFileURL(join(tree, p)).href);
  const { loadConfig } = await load('src/config/config.ts');
  const { createContext } = await load('src/app/context.ts');
  const { createUserWithPassword } = await load('test/support/fixtures.ts');
  const { importTotp } = await load('src/methods/totp/manage.ts');
  const { insertUser } = await load('src/directory/users.ts');
  const { createClient } = await load('src/protocols/oidc/clients.ts');
  const ctx = await createContext(loadConfig(env), {});
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  const first = await createUserWithPassword(ctx, 'bench-0', PASSWORD);
  const hash = (await ctx.store.db.selectFrom('password_credentials').select('hash').where('user_id', '=', first.id).executeTakeFirstOrThrow()).hash;
  await importTotp(ctx, first.id, { secretBase32: secret, actor: 'bench' });
  for (let i = 1; i < users; i++) {
    const u = await ctx.store.db.transaction().execute((trx: unknown) => insertUser(trx, { username: `bench-${i}` }));
    const now = new Date().toISOString();
    await ctx.store.db.insertInto('password_credentials').values({ user_id: u.id, hash, created_at: now, updated_at: now, last_used_at: null }).execute();
    await importTotp(ctx, u.id, { secretBase32: secret, actor: 'bench' });
  }
  const { clientSecret } = await createClient(ctx.store, { clientId: 'bench', name: 'Bench', redirectUris: [REDIRECT], grantTypes: ['authorization_code'] }, { actor: 'bench' });
  await ctx.store.close();
  return { env, port, dataDir, secret, clientSecret };
}

/** One measured run of one checkout: server CPU milliseconds per sign-in. */
async function run(tree: string): Promise<number> {
  const p = await prepare(tree, WARMUP + signins);
  const server = spawn(process.execPath, [join(tree, 'bin/tessera.js'), 'serve'], { env: p.env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('running at') && ok()));
  const c = httpClient(p.port);
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(p.secret), digits: 6, period: 30 });
  for (let i = 0; i < WARMUP; i++) await oidcSignIn(c, { id: 'bench', secret: p.clientSecret }, `bench-${i}`, totp);
  const before = cpuSeconds(server.pid!);
  for (let i = WARMUP; i < WARMUP + signins; i++) await oidcSignIn(c, { id: 'bench', secret: p.clientSecret }, `bench-${i}`, totp);
  const used = cpuSeconds(server.pid!) - before;
  c.close();
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
  rmSync(p.dataDir, { recursive: true, force: true });
  return (used * 1000) / signins;
}

const here = resolve(import.meta.dirname, '..');
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < rounds; r++) {
  a.push(await run(here));
  if (against) b.push(await run(against));
  console.log(`round ${r + 1}: A ${a.at(-1)!.toFixed(2)} ms${against ? `, B ${b.at(-1)!.toFixed(2)} ms, A/B ${(a.at(-1)! / b.at(-1)!).toFixed(3)}` : ''} (load ${loadavg()[0]!.toFixed(2)})`);
}
console.log(`server CPU per OIDC sign-in (password + TOTP, ${signins} after ${WARMUP} warm-up): A median ${median(a).toFixed(2)} ms`);
if (against) {
  const ratios = a.map((x, i) => x / b[i]!);
  console.log(`B median ${median(b).toFixed(2)} ms; A/B pairwise median ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`);
}
