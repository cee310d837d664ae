import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import { youngGenerationFlags } from './young-generation.ts';

/**
 * Several server processes on one machine (`tessera serve --workers N`). The
 * primary does the one-time work, then forks the workers, which share the
 * listening sockets (Node's cluster hands out connections); every piece of
 * state is in the store, so any worker can continue any request, as any node
 * can. A worker that dies is replaced; one that keeps dying within seconds of
 * starting stops the whole server with one line, rather than looping.
 */
export const METRICS_REQUEST = 'tessera:metrics-request';
export const METRICS_REPLY = 'tessera:metrics-reply';

/** `--workers`: a positive whole number; without it, one per core. */
export function workerCount(value: string | undefined): number | { error: string } {
  if (value === undefined) return availableParallelism();
  if (!/^[1-9]\d{0,2}$/.test(value)) return { error: '--workers must be a whole number from 1 to 999' };
  return Number(value);
}

export const isWorker = () => cluster.isWorker;

export interface Supervisor {
  /** Resolves, with the port, when every first worker listens. */
  listening: Promise<number>;
  stop(signal: NodeJS.Signals): Promise<void>;
}

const CRASH_WINDOW_MS = 60_000;
const CRASHES_ALLOWED = 5;
const STOP_GRACE_MS = 15_000;

export function superviseWorkers(count: number, mainPort: number, logger: Logger, onGiveUp: (why: string) => void): Supervisor {
  let stopping = false;
  const crashes: number[] = [];
  let waiting = count;
  let ready!: (port: number) => void;
  const listening = new Promise<number>((resolve) => (ready = resolve));
  const fork = () => {
    const worker = cluster.fork();
    // A worker also listens for metrics or RADIUS; the main port is the one the first start waits for.
    const listened = (address: { port: number }) => {
      if (mainPort !== 0 && address.port !== mainPort) return;
      worker.off('listening', listened);
      if (--waiting === 0) ready(address.port);
    };
    worker.on('listening', listened);
  };
  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length > CRASHES_ALLOWED) {
      stopping = true;
      onGiveUp(`workers keep stopping (${crashes.length} in a minute, the last with ${signal ?? `exit code ${code}`}); see the log above`);
      return;
    }
    logger.warn({ worker: worker.id, code, signal }, 'a worker stopped; starting another');
    fork();
  });
  relayMetrics();
  // Workers start with the primary's Node flags; where the primary could not start itself again with
  // Tessera's young generation (bin/tessera.js: no process.execve, as on Windows), they get it here.
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...youngGenerationFlags(process.execArgv, process.env.NODE_OPTIONS)] });
  for (let i = 0; i < count; i++) fork();
  return {
    listening,
    async stop(signal) {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
      const exited = Promise.all(workers.map((w) => new Promise((r) => (w.isDead() ? r(null) : w.once('exit', r)))));
      for (const w of workers) w.process.kill(signal);
      const timer = setTimeout(() => workers.forEach((w) => w.isDead() || w.process.kill('SIGKILL')), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * /metrics with workers: whichever worker takes the scrape asks the primary,
 * which gathers every worker's registry through prom-client's aggregator, so
 * a scrape shows the whole server, not one process by chance.
 */
function relayMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: { type?: string; id?: string }) => {
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_REPLY, id: message.id, text }),
      (err: Error) => worker.send({ type: METRICS_REPLY, id: message.id, error: err.message }),
    );
  });
}

/** In a worker: lets the primary read this registry, and asks it for the whole server's metrics. */
export function clusterMetricsSource(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // its constructor answers the primary's requests for this worker's metrics
  const pending = new Map<string, { resolve: (t: string) => void; reject: (e: Error) => void }>();
  process.on('message', (message: { type?: string; id?: string; text?: string; error?: string }) => {
    if (message?.type !== METRICS_REPLY || !message.id) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.text ?? '');
  });
  let next = 0;
  return () => new Promise<string>((resolve, reject) => {
    const id = `${process.pid}-${next++}`;
    pending.set(id, { resolve, reject });
    process.send!({ type: METRICS_REQUEST, id });
    setTimeout(() => pending.delete(id) && reject(new Error('the primary did not answer with the metrics')), 5000).unref();
  });
}
