/**
 * Client-credentials grants through Tessera (its durable store: SQLite, then
 * PostgreSQL) against bare oidc-provider with its in-memory adapter — the
 * real limit of the protocol library. Same load generator (autocannon), warm
 * up, then A B A B; the pairwise throughput ratios and the servers' CPU per
 * grant. Goals: ≥ 0.7 on SQLite, ≥ 0.5 on PostgreSQL.
 *
 *   node bench/client-credentials.ts [--engine sqlite|postgres|both] [--pairs 5] [--seconds 4] [--connections 10]
 */
import autocannon from 'autocannon';
import { alternate, type Side } from './lib/alternate.ts';
import { startBare } from './lib/bare.ts';
import { enginesFromArgs, numberArg } from './lib/engines.ts';
import { reportAlternation } from './lib/figures.ts';
import { basic } from './lib/oidc-client.ts';
import { cpuSeconds } from './lib/process.ts';
import { startTessera } from './lib/tessera.ts';

const args = process.argv.slice(2);
const pairs = numberArg(args, 'pairs', 5);
const seconds = numberArg(args, 'seconds', 4);
const connections = numberArg(args, 'connections', 10);
const GOALS = { sqlite: 0.7, postgres: 0.5 } as const;

function side(label: string, url: string, auth: string, pid: number): Side {
  return {
    label,
    round: async () => {
      const cpu0 = cpuSeconds(pid);
      const r = await autocannon({
        url, method: 'POST', connections, duration: seconds, body: 'grant_type=client_credentials',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      });
      if (r.non2xx || r.errors) throw new Error(`${label}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      return { ops: r.requests.total, seconds: r.duration, cpuSeconds: cpuSeconds(pid) - cpu0 };
    },
  };
}

for (const engine of enginesFromArgs(args)) {
  console.log(`client credentials, Tessera on ${engine} vs bare oidc-provider (${connections} connections, ${seconds} s rounds):`);
  const bare = await startBare();
  const tessera = await startTessera({ engine, users: 1, clients: [{ clientId: 'bench', name: 'Bench', grantTypes: ['client_credentials'] }] });
  try {
    const result = await alternate(
      side('Tessera', `${tessera.url}/oidc/token`, basic('bench', tessera.secrets.bench!), tessera.child.pid!),
      side('bare', `http://127.0.0.1:${bare.port}/token`, basic('bench', bare.secret), bare.child.pid!),
      pairs,
    );
    reportAlternation(result, { bench: 'client-credentials', name: `client credentials on ${engine} ÷ bare oidc-provider`, baseline: 'bare oidc-provider, in-memory adapter', goal: GOALS[engine] });
  } finally {
    await tessera.close();
    await bare.close();
  }
}
