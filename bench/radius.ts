/**
 * RADIUS sign-ins (PAP, then the TOTP code through an Access-Challenge)
 * against the real limit: argon2id verifications with the server's own
 * parameters, one at a time on one thread (@node-rs/argon2, as the server
 * calls it). Rounds alternate A B A B: A = raw argon2 verifications per second
 * in this process, B = completed RADIUS sign-ins per second from several NAS
 * loops against `tessera serve` (its CPU read from /proc). Then, with the
 * server idle, the round-trip latency of each leg of a challenge sign-in.
 *
 *   node bench/radius.ts [rounds=4] [seconds=8] [--pool N]
 *
 * --pool N runs the server with N libuv threads (its argon2 pool); the
 * default is Node's. With --pool 1 the server has the same one thread as A.
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import radiusLib from 'radius';
import { verify } from '@node-rs/argon2';
import { loadConfig } from '../src/config/config.ts';
import { createContext } from '../src/app/context.ts';
import { createUserWithPassword } from '../test/support/fixtures.ts';
import { importTotp } from '../src/methods/totp/manage.ts';
import { insertUser } from '../src/directory/users.ts';
import { addRadiusClient } from '../src/protocols/radius/clients.ts';
import { report } from './lib/figures.ts';
import { spread } from './lib/stats.ts';

const args = process.argv.slice(2);
const poolAt = args.indexOf('--pool');
const pool = poolAt >= 0 ? args[poolAt + 1]! : null;
const positional = args.filter((a, i) => !a.startsWith('--') && (poolAt < 0 || i !== poolAt + 1));
const rounds = Number(positional[0] ?? 4);
const seconds = Number(positional[1] ?? 8);
const NAS_LOOPS = 4;
const USERS = 6000;
const PASSWORD = 'violet tangerine lighthouse';
const SECRET = 'the bench shared secret, long enough';
const CLOCK_TICKS = 100;

// ---- the data: people with a password and an authenticator app, one NAS ----
const dataDir = mkdtempSync(join(tmpdir(), 'tessera-radius-bench-'));
const httpPort = 4100 + randomInt(400);
const radiusPort = 18200 + randomInt(400);
const env = {
  ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64'), PORT: String(httpPort),
  TESSERA_ISSUER: `http://127.0.0.1:${httpPort}`, TESSERA_LOG_LEVEL: 'warn', TESSERA_RADIUS_PORT: String(radiusPort), TESSERA_RADIUS_HOST: '127.0.0.1', TESSERA_WORKERS: '1',
  ...(pool ? { UV_THREADPOOL_SIZE: pool } : {}),
};
const seed = new OTPAuth.Secret({ size: 20 }).base32;
const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(seed), digits: 6, period: 30 });
const ctx = await createContext(loadConfig(env), {});
const firstUser = await createUserWithPassword(ctx, 'r-0', PASSWORD);
const storedHash = (await ctx.store.db.selectFrom('password_credentials').select('hash').where('user_id', '=', firstUser.id).executeTakeFirstOrThrow()).hash;
await importTotp(ctx, firstUser.id, { secretBase32: seed, actor: 'bench' });
for (let i = 1; i < USERS; i++) {
  const u = await ctx.store.db.transaction().execute((trx) => insertUser(trx, { username: `r-${i}` }));
  const now = new Date().toISOString();
  await ctx.store.db.insertInto('password_credentials').values({ user_id: u.id, hash: storedHash, created_at: now, updated_at: now, last_used_at: null }).execute();
  await importTotp(ctx, u.id, { secretBase32: seed, actor: 'bench' });
}
await addRadiusClient(ctx.store, ctx.secrets, { name: 'bench-vpn', address: '127.0.0.1', secret: SECRET }, { actor: 'bench' });
await ctx.store.close();

// ---- a NAS: Access-Requests with Message-Authenticator, answers matched by identifier ----
interface Nas {
  ask(attributes: [string, string | Buffer][]): Promise<{ code: string; state?: Buffer }>;
  close(): void;
}

async function nas(): Promise<Nas> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((ok) => socket.bind(0, '127.0.0.1', ok));
  const waiting = new Map<number, (answer: Buffer) => void>();
  socket.on('message', (msg) => waiting.get(msg[1]!)?.(msg));
  let next = 0;
  return {
    ask(attributes) {
      const identifier = next++ % 256;
      const packet = radiusLib.encode({ code: 'Access-Request', secret: SECRET, identifier, attributes, add_message_authenticator: true });
      return new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error('no answer in 10 s')), 10_000);
        waiting.set(identifier, (msg) => {
          clearTimeout(timer);
          waiting.delete(identifier);
          const reply = radiusLib.decode({ packet: msg, secret: SECRET });
          ok({ code: reply.code, state: reply.attributes.State as Buffer | undefined });
        });
        socket.send(packet, radiusPort, '127.0.0.1');
      });
    },
    close: () => socket.close(),
  };
}

let nextUser = 0;
/** One sign-in: the password, then the code in answer to the challenge. Returns each leg's milliseconds. */
async function signIn(n: Nas): Promise<[number, number]> {
  const user = `r-${nextUser++}`;
  if (nextUser > USERS) throw new Error(`more than ${USERS} sign-ins: run fewer or shorter rounds`);
  const t0 = performance.now();
  const first = await n.ask([['User-Name', user], ['User-Password', PASSWORD]]);
  const t1 = performance.now();
  if (first.code !== 'Access-Challenge' || !first.state) throw new Error(`expected a challenge, got ${first.code}`);
  const second = await n.ask([['User-Name', user], ['User-Password', totp.generate()], ['State', first.state]]);
  const t2 = performance.now();
  if (second.code !== 'Access-Accept') throw new Error(`expected an accept, got ${second.code}`);
  return [t1 - t0, t2 - t1];
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** A: raw argon2id verifications of the same stored hash, one after another. */
async function argon2PerSecond(): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < until) {
    if (!(await verify(storedHash, PASSWORD))) throw new Error('the stored hash does not verify');
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

/** B: sign-ins per second from NAS_LOOPS loops at once, and server CPU per sign-in. */
async function radiusPerSecond(pid: number, loops: Nas[]): Promise<{ rate: number; cpuMs: number }> {
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await Promise.all(loops.map(async (l) => {
    while (performance.now() < until) {
      await signIn(l);
      n++;
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  return { rate: n / elapsed, cpuMs: ((cpuSeconds(pid) - cpu0) * 1000) / n };
}

const server = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin/tessera.js'), 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((ok) => server.stdout!.on('data', (d: Buffer) => d.toString().includes('running at') && ok()));
const loops = await Promise.all(Array.from({ length: NAS_LOOPS }, () => nas()));
for (let i = 0; i < 20; i++) await signIn(loops[0]!);
await verify(storedHash, PASSWORD);

const ratios: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < rounds; r++) {
  const a = await argon2PerSecond();
  const b = await radiusPerSecond(server.pid!, loops);
  ratios.push(b.rate / a);
  cpu.push(b.cpuMs);
  console.log(`round ${r + 1}: argon2 ${a.toFixed(1)}/s on one thread, RADIUS sign-ins ${b.rate.toFixed(1)}/s (${NAS_LOOPS} NAS loops), ratio ${(b.rate / a).toFixed(3)}, server CPU ${b.cpuMs.toFixed(2)} ms per sign-in (load ${loadavg()[0]!.toFixed(2)})`);
}
report({
  bench: 'radius', name: `RADIUS sign-in (PAP + TOTP challenge) ÷ argon2id verifies on one thread (server pool ${pool ?? 'default'})`, unit: 'ratio',
  value: spread(ratios), baseline: 'argon2id verify, one thread', details: { serverCpuMsPerSignin: spread(cpu) },
});

// ---- idle latency: one sign-in at a time ----
await new Promise((r) => setTimeout(r, 1000));
const legs: [number[], number[]] = [[], []];
for (let i = 0; i < 200; i++) {
  const [pap, code] = await signIn(loops[0]!);
  legs[0].push(pap);
  legs[1].push(code);
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
for (const [name, xs] of [['password → challenge', legs[0]], ['code (State) → accept', legs[1]]] as const) {
  console.log(`idle round trip, ${name}: p50 ${pct(xs, 50).toFixed(2)} ms, p99 ${pct(xs, 99).toFixed(2)} ms (200 sign-ins, load ${loadavg()[0]!.toFixed(2)})`);
}

for (const l of loops) l.close();
server.kill('SIGTERM');
await new Promise((r) => server.on('exit', r));
rmSync(dataDir, { recursive: true, force: true });
