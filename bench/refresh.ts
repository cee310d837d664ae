/**
 * Refresh with rotation through Tessera (every refresh asks the access
 * decision, rotates the token durably, and returns new tokens) against bare
 * oidc-provider with its in-memory adapter and rotation on. Each of the
 * workers holds its own chain and refreshes it back to back. Warm up, then
 * A B A B; pairwise throughput ratios and the servers' CPU per refresh.
 * Goals: ≥ 0.8 on SQLite, ≥ 0.6 on PostgreSQL.
 *
 *   node bench/refresh.ts [--engine sqlite|postgres|both] [--pairs 5] [--seconds 4] [--workers 8]
 */
import { alternate, closedLoop, type Side } from './lib/alternate.ts';
import { startBare } from './lib/bare.ts';
import { enginesFromArgs, numberArg } from './lib/engines.ts';
import { reportAlternation } from './lib/figures.ts';
import { basic, httpClient, oidcSignIn, refresh, totpFor, type HttpClient } from './lib/oidc-client.ts';
import { cpuSeconds } from './lib/process.ts';
import { REDIRECT, startTessera } from './lib/tessera.ts';

const args = process.argv.slice(2);
const pairs = numberArg(args, 'pairs', 5);
const seconds = numberArg(args, 'seconds', 4);
const workers = numberArg(args, 'workers', 8);
const GOALS = { sqlite: 0.8, postgres: 0.6 } as const;

/** `workers` chains, each refreshed in turn; a failed refresh stops the benchmark (a chain must never break). */
function side(label: string, port: number, path: string, auth: string, pid: number, chains: string[]): Side {
  const clients: HttpClient[] = chains.map(() => httpClient(port));
  return {
    label,
    round: async () => {
      const cpu0 = cpuSeconds(pid);
      const run = await closedLoop(chains.length, seconds, async (w) => {
        const reply = await refresh(clients[w]!, path, chains[w]!, auth);
        if (reply.status !== 200) throw new Error(`${label} refresh: ${reply.status} ${reply.body.slice(0, 200)}`);
        chains[w] = (JSON.parse(reply.body) as { refresh_token: string }).refresh_token;
      });
      return { ...run, cpuSeconds: cpuSeconds(pid) - cpu0 };
    },
  };
}

for (const engine of enginesFromArgs(args)) {
  console.log(`refresh with rotation, Tessera on ${engine} vs bare oidc-provider (${workers} chains, ${seconds} s rounds):`);
  const bare = await startBare();
  const tessera = await startTessera({
    engine, users: workers,
    clients: [{ clientId: 'bench-rt', name: 'Bench', redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'] }],
  });
  try {
    const totp = totpFor(tessera.totpSecret);
    const signer = httpClient(tessera.port);
    const tesseraChains: string[] = [];
    for (let i = 0; i < workers; i++) {
      const tokens = await oidcSignIn(signer, { id: 'bench-rt', secret: tessera.secrets['bench-rt']!, scope: 'openid offline_access' }, `bench-${i}`, totp);
      tesseraChains.push(tokens.refresh_token!);
    }
    signer.close();
    const bareChains = (await (await fetch(`http://127.0.0.1:${bare.port}/mint?n=${workers}`)).json()) as string[];
    const result = await alternate(
      side('Tessera', tessera.port, '/oidc/token', basic('bench-rt', tessera.secrets['bench-rt']!), tessera.child.pid!, tesseraChains),
      side('bare', bare.port, '/token', basic('bench-rt', bare.secret), bare.child.pid!, bareChains),
      pairs,
    );
    reportAlternation(result, { bench: 'refresh', name: `refresh with rotation on ${engine} ÷ bare oidc-provider`, baseline: 'bare oidc-provider, in-memory adapter, rotation on', goal: GOALS[engine] });
  } finally {
    await tessera.close();
    await bare.close();
  }
}
