/**
 * Several processes per machine: client-credentials grants through
 * `tessera serve --workers 2` (A) against `--workers 1` (B), on SQLite and
 * PostgreSQL, warm-up then A B A B. The figure that matters is CPU per grant
 * of the whole process tree (primary and workers): it should stay flat when a
 * second worker shares the load. Throughput is reported beside it.
 *
 * What the figure counts: the primary and every worker (the primary costs
 * next to nothing here, since autocannon keeps its connections open and the
 * primary hands out only those few). A PostgreSQL server's own CPU is not
 * counted. The load generator shares the machine's cores, and with the same
 * connections split over two processes each sees half the requests in flight,
 * so each handles fewer per turn of its event loop: a single process run with
 * half the connections already spends more CPU per grant. Part of the rise is
 * that, not work the workers repeat.
 *
 *   node bench/workers.ts [--engine sqlite|postgres|both] [--pairs 5] [--seconds 4] [--connections 10]
 */
import autocannon from 'autocannon';
import { alternate, type Side } from './lib/alternate.ts';
import { enginesFromArgs, numberArg } from './lib/engines.ts';
import { report } from './lib/figures.ts';
import { basic } from './lib/oidc-client.ts';
import { treeCpuSeconds } from './lib/process.ts';
import { startTessera, type BenchTessera } from './lib/tessera.ts';

const args = process.argv.slice(2);
const pairs = numberArg(args, 'pairs', 5);
const seconds = numberArg(args, 'seconds', 4);
const connections = numberArg(args, 'connections', 10);

function side(label: string, t: BenchTessera): Side {
  return {
    label,
    round: async () => {
      const cpu0 = treeCpuSeconds(t.child.pid!);
      const r = await autocannon({
        url: `${t.url}/oidc/token`, method: 'POST', connections, duration: seconds, body: 'grant_type=client_credentials',
        headers: { authorization: basic('bench', t.secrets.bench!), 'content-type': 'application/x-www-form-urlencoded' },
      });
      if (r.non2xx || r.errors) throw new Error(`${label}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      return { ops: r.requests.total, seconds: r.duration, cpuSeconds: treeCpuSeconds(t.child.pid!) - cpu0 };
    },
  };
}

for (const engine of enginesFromArgs(args)) {
  console.log(`client credentials on ${engine}, 2 workers vs 1 (${connections} connections, ${seconds} s rounds):`);
  const clients = [{ clientId: 'bench', name: 'Bench', grantTypes: ['client_credentials' as const] }];
  const two = await startTessera({ engine, users: 1, clients, workers: 2 });
  const one = await startTessera({ engine, users: 1, clients, workers: 1 });
  try {
    const result = await alternate(side('2 workers', two), side('1 worker', one), pairs);
    report({
      bench: 'workers', name: `CPU per grant, 2 workers ÷ 1, ${engine}`, unit: 'ratio', value: result.cpuPerOpRatio,
      baseline: 'one process', goal: { op: '<=', value: 1.1 }, load: result.load,
      details: { throughputRatio: result.throughputRatio, twoPerSecond: result.aPerSecond, onePerSecond: result.bPerSecond },
    });
    console.log(`  throughput 2 workers ÷ 1: ${result.throughputRatio.median.toFixed(3)} (${result.throughputRatio.min.toFixed(3)}–${result.throughputRatio.max.toFixed(3)})`);
  } finally {
    await two.close();
    await one.close();
  }
}
