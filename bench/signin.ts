/**
 * Password + authenticator-app sign-ins through the full OpenID Connect path
 * (authorization request → sign-in pages → code → token), each a different
 * person, against the real limit: argon2id verifications on a thread pool of
 * the size the server uses (bench/argon2-pool.ts). Warm up, then A B A B;
 * the pairwise ratios of sign-ins/s ÷ verifications/s, and of server CPU per
 * sign-in ÷ CPU per verification. Goal: ≥ 0.8. Also the load generator's
 * own CPU per sign-in and the highest ratio it leaves possible (ceiling()).
 *
 *   node bench/signin.ts [--engine sqlite|postgres|both] [--pairs 5] [--seconds 4] [--clients 8]
 */
import { join } from 'node:path';
import { alternate, closedLoop, type Alternation, type Side } from './lib/alternate.ts';
import { fmt, spread } from './lib/stats.ts';
import { enginesFromArgs, numberArg } from './lib/engines.ts';
import { reportAlternation } from './lib/figures.ts';
import { httpClient, oidcSignIn, totpFor } from './lib/oidc-client.ts';
import { cpuSeconds, freePort, startChild, stopChild } from './lib/process.ts';
import { REDIRECT, startTessera, type BenchTessera } from './lib/tessera.ts';

const args = process.argv.slice(2);
const pairs = numberArg(args, 'pairs', 5);
const seconds = numberArg(args, 'seconds', 4);
const clients = numberArg(args, 'clients', 8);
/** Enough people that none signs in twice (a code is accepted once per time step): 250/s is above what 2 cores reach. */
const people = Math.ceil(250 * seconds * (pairs + 1));

function tesseraSide(t: BenchTessera): Side {
  const totp = totpFor(t.totpSecret);
  const browsers = Array.from({ length: clients }, () => httpClient(t.port));
  const app = { id: 'bench', secret: t.secrets.bench! };
  let next = 0;
  return {
    label: 'sign-ins',
    round: async () => {
      const cpu0 = cpuSeconds(t.child.pid!);
      const driver0 = process.cpuUsage();
      const run = await closedLoop(clients, seconds, async (w) => {
        if (next >= t.users) throw new Error('ran out of people; raise the count in bench/signin.ts');
        await oidcSignIn(browsers[w]!, app, `bench-${next++}`, totp);
      });
      const driver = process.cpuUsage(driver0);
      return { ...run, cpuSeconds: cpuSeconds(t.child.pid!) - cpu0, driverCpuSeconds: (driver.user + driver.system) / 1e6 };
    },
  };
}

async function poolSide(): Promise<{ side: Side; close(): Promise<void> }> {
  const port = await freePort();
  const child = await startChild([join(import.meta.dirname, 'argon2-pool.ts'), String(port)], 'ready');
  const side: Side = {
    label: 'verifies',
    round: async () => {
      const cpu0 = cpuSeconds(child.pid!);
      const run = (await (await fetch(`http://127.0.0.1:${port}/round?seconds=${seconds}`)).json()) as { ops: number; seconds: number };
      return { ...run, cpuSeconds: cpuSeconds(child.pid!) - cpu0 };
    },
  };
  return { side, close: () => stopChild(child) };
}

/**
 * What this machine allows at best. The load generator runs on the same cores
 * as the server, and each sign-in costs at least one verification (v, the
 * baseline's CPU per verify) plus the generator's own work (c: its HTTP
 * requests, cookies, PKCE and the code exchange). With every other server
 * cost at zero, sign-ins/s could not pass cores ÷ (v + c), while the pool
 * reaches cores ÷ v: the ratio cannot pass v ÷ (v + c). CPU times, not
 * rates, so the bound holds on a busy machine too.
 */
function ceiling(result: Alternation): Record<string, unknown> {
  const perPair = result.pairs.map((p) => {
    const driverMs = ((p.a.driverCpuSeconds ?? 0) * 1000) / Math.max(1, p.a.ops);
    const verifyMs = (p.b.cpuSeconds * 1000) / Math.max(1, p.b.ops);
    return { driverMs, bound: verifyMs / (verifyMs + driverMs) };
  });
  const out = { driverCpuMsPerOp: spread(perPair.map((x) => x.driverMs)), ceilingRatio: spread(perPair.map((x) => x.bound)) };
  console.log(`  load generator CPU per sign-in ${fmt(out.driverCpuMsPerOp)} ms; with it on the same cores the ratio cannot pass ${fmt(out.ceilingRatio, 3)}`);
  return out;
}

for (const engine of enginesFromArgs(args)) {
  console.log(`password + TOTP sign-ins through OIDC on ${engine} (${clients} browsers, ${seconds} s rounds) vs argon2id verifies on the server's pool size:`);
  const tessera = await startTessera({ engine, users: people, clients: [{ clientId: 'bench', name: 'Bench', redirectUris: [REDIRECT], grantTypes: ['authorization_code'] }] });
  const pool = await poolSide();
  try {
    const result = await alternate(tesseraSide(tessera), pool.side, pairs);
    reportAlternation(result, {
      bench: 'signin', name: `OIDC sign-in (password + TOTP) on ${engine} ÷ argon2id verifies on the pool`, baseline: `argon2id verify, pool of ${process.env.UV_THREADPOOL_SIZE ?? 4}`, goal: 0.8,
      details: ceiling(result),
    });
  } finally {
    await pool.close();
    await tessera.close();
  }
}
