/**
 * Memory of one server process (`tessera serve --workers 1`): its RSS once
 * /healthz answers and a second has passed, then again after N full OpenID
 * Connect sign-ins (password + authenticator app, each a different person, so
 * no code is refused as used) and a second's rest. Beside the RSS, the
 * server's own view from its Prometheus default metrics (read on a metrics
 * listener of its own): V8 heap used and committed, the young generation
 * ("new" space) committed, and memory outside the heap — heap used that keeps
 * rising from one checkpoint to the next points at retention, a committed heap
 * that rises while used stays flat is V8 keeping room. Goals (issue 19):
 * ≤ 120 MB after start-up, ≤ 160 MB after 1,000 sign-ins, both read once the server has
 * been quiet for a few seconds (it gives memory back then: src/app/memory-trim.ts); the
 * reading a second after each is reported beside them. The start-up figure
 * here is of a server whose N people were just imported: its detection scanner
 * reads their audit entries in its first seconds, which a server restarted on
 * a settled store does not (bench/startup.ts measures that one, with a few people).
 *
 *   node bench/memory.ts [--engine sqlite|postgres|both] [--signins 1000] [--clients 4]
 *
 * V8 flags for the server (say --max-semi-space-size) go through NODE_OPTIONS,
 * which the server inherits; the load average is printed with every figure.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { enginesFromArgs, numberArg } from './lib/engines.ts';
import { report } from './lib/figures.ts';
import { httpClient, oidcSignIn, totpFor } from './lib/oidc-client.ts';
import { cpuSeconds, freePort, load, QUIET_MS, rssMegabytes } from './lib/process.ts';
import { REDIRECT, startTessera, type BenchTessera } from './lib/tessera.ts';
import { spread } from './lib/stats.ts';

const args = process.argv.slice(2);
const signins = numberArg(args, 'signins', 1000);
const clients = numberArg(args, 'clients', 4);
const MB = 1024 * 1024;

/** What the server says of its memory, in MB, from its default metrics. */
interface HeapView { heapUsed: number; heapTotal: number; newSpace: number; external: number; rss: number }

interface Checkpoint extends HeapView { osRss: number; quietRss: number; load: [number, number, number] }

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`the server's metrics have no ${name}`);
  return Number(line.slice(name.length + 1)) / MB;
}

async function heapView(metricsPort: number): Promise<HeapView> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return {
    heapUsed: metric(text, 'tessera_nodejs_heap_size_used_bytes'),
    heapTotal: metric(text, 'tessera_nodejs_heap_size_total_bytes'),
    newSpace: metric(text, 'tessera_nodejs_heap_space_size_total_bytes{space="new"}'),
    external: metric(text, 'tessera_nodejs_external_memory_bytes'),
    rss: metric(text, 'tessera_process_resident_memory_bytes'),
  };
}

/**
 * The RSS from /proc after a second's rest and again once the server has been quiet long enough to give
 * memory back, then the server's own figures (the scrape itself allocates, so it comes last).
 */
async function checkpoint(t: BenchTessera, metricsPort: number): Promise<Checkpoint> {
  await sleep(1000);
  const osRss = rssMegabytes(t.child.pid!);
  await sleep(QUIET_MS - 1000);
  const quietRss = rssMegabytes(t.child.pid!);
  return { osRss, quietRss, load: load(), ...(await heapView(metricsPort)) };
}

/** Every person signs in once, `clients` browsers at a time; the seconds it took and the server's CPU seconds. */
async function signInEveryone(t: BenchTessera): Promise<{ seconds: number; cpu: number }> {
  const totp = totpFor(t.totpSecret);
  const browsers = Array.from({ length: clients }, () => httpClient(t.port));
  const app = { id: 'bench', secret: t.secrets.bench! };
  let next = 0;
  const began = performance.now();
  const cpu0 = cpuSeconds(t.child.pid!);
  await Promise.all(browsers.map(async (browser) => {
    while (next < signins) await oidcSignIn(browser, app, `bench-${next++}`, totp);
  }));
  for (const b of browsers) b.close();
  return { seconds: (performance.now() - began) / 1000, cpu: cpuSeconds(t.child.pid!) - cpu0 };
}

const round = (n: number) => Number(n.toFixed(1));
const detailsOf = (c: Checkpoint) => ({
  heapUsedMb: round(c.heapUsed), heapTotalMb: round(c.heapTotal), newSpaceMb: round(c.newSpace), externalMb: round(c.external), serverRssMb: round(c.rss),
});

for (const engine of enginesFromArgs(args)) {
  const metricsPort = await freePort();
  // The bench's server inherits this environment: the metrics get a listener the bench can read without a token.
  process.env.TESSERA_METRICS_PORT = String(metricsPort);
  console.log(`memory of tessera serve --workers 1 on ${engine}, ${signins} sign-ins by ${clients} browsers${process.env.NODE_OPTIONS ? ` (NODE_OPTIONS=${process.env.NODE_OPTIONS})` : ''}:`);
  const tessera = await startTessera({ engine, users: signins, clients: [{ clientId: 'bench', name: 'Bench', redirectUris: [REDIRECT], grantTypes: ['authorization_code'] }] });
  try {
    const health = await fetch(`${tessera.url}/healthz`);
    if (health.status !== 200) throw new Error(`/healthz answered ${health.status}`);
    const started = await checkpoint(tessera, metricsPort);
    const { seconds, cpu } = await signInEveryone(tessera);
    const after = await checkpoint(tessera, metricsPort);
    const options = process.env.NODE_OPTIONS ?? '';
    const quiet = `once quiet (${QUIET_MS / 1000} s)`;
    report({
      bench: 'memory', name: `memory after start-up, ${quiet}, 1 process (RSS), ${engine}`, unit: 'MB', value: spread([started.quietRss]),
      goal: { op: '<=', value: 120 }, load: started.load, details: { ...detailsOf(started), rssAfterOneSecondMb: round(started.osRss), nodeOptions: options },
    });
    report({
      bench: 'memory', name: `memory after ${signins} sign-ins, ${quiet}, 1 process (RSS), ${engine}`, unit: 'MB', value: spread([after.quietRss]),
      goal: { op: '<=', value: 160 }, load: after.load,
      details: { ...detailsOf(after), rssAfterOneSecondMb: round(after.osRss), signinsPerSecond: round(signins / seconds), cpuMsPerSignin: round((cpu * 1000) / signins), nodeOptions: options },
    });
    console.log(`  RSS a second after start-up ${started.osRss.toFixed(1)} MB, after the sign-ins ${after.osRss.toFixed(1)} MB (before the server was quiet long enough to give memory back)`);
    console.log(`  heap used ${started.heapUsed.toFixed(1)} → ${after.heapUsed.toFixed(1)} MB, committed ${started.heapTotal.toFixed(1)} → ${after.heapTotal.toFixed(1)} MB `
      + `(young generation ${started.newSpace.toFixed(1)} → ${after.newSpace.toFixed(1)} MB), outside the heap ${started.external.toFixed(1)} → ${after.external.toFixed(1)} MB; `
      + `${(signins / seconds).toFixed(1)} sign-ins/s, ${((cpu * 1000) / signins).toFixed(1)} ms of server CPU each`);
  } finally {
    await tessera.close();
  }
}
