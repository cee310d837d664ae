/**
 * Server CPU per password + TOTP sign-in through the full OpenID Connect path
 * (authorization request → sign-in pages → code → token), read from the
 * server process's own accounting (/proc/<pid>/stat: every thread, the argon2
 * pool included). Each checkout seeds its store with its own modules. With --against DIR it alternates this checkout (A) and
 * another one (B, e.g. a worktree of the commit before a change) round by
 * round, A B A B, and prints the median and range of the pairwise ratios A/B.
 *
 *   node bench/signin-cpu.ts [rounds=4] [signins=120] [--against DIR]
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { httpClient, oidcSignIn, totpFor } from './lib/oidc-client.ts';
import { cpuSeconds } from './lib/process.ts';
import { median } from './lib/stats.ts';
import { REDIRECT, startTessera } from './lib/tessera.ts';

const args = process.argv.slice(2);
const againstAt = args.indexOf('--against');
const against = againstAt >= 0 ? resolve(args[againstAt + 1]!) : null;
const positional = args.filter((a, i) => !a.startsWith('--') && (againstAt < 0 || i !== againstAt + 1));
const rounds = Number(positional[0] ?? 4);
const signins = Number(positional[1] ?? 120);
const WARMUP = 20;

/** One measured run of one checkout: server CPU milliseconds per sign-in. */
async function run(tree: string): Promise<number> {
  const t = await startTessera({ engine: 'sqlite', users: WARMUP + signins, tree, clients: [{ clientId: 'bench', name: 'Bench', redirectUris: [REDIRECT], grantTypes: ['authorization_code'] }] });
  const c = httpClient(t.port);
  const totp = totpFor(t.totpSecret);
  const app = { id: 'bench', secret: t.secrets.bench! };
  for (let i = 0; i < WARMUP; i++) await oidcSignIn(c, app, `bench-${i}`, totp);
  const before = cpuSeconds(t.child.pid!);
  for (let i = WARMUP; i < WARMUP + signins; i++) await oidcSignIn(c, app, `bench-${i}`, totp);
  const used = cpuSeconds(t.child.pid!) - before;
  c.close();
  await t.close();
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
