import cluster from 'node:cluster';
import { loadConfig, type Config } from '../../config/config.ts';
import { checkDataDirWritable } from '../../config/data-dir.ts';
import { createContext, type AppContext } from '../../app/context.ts';
import { superviseWorkers, workerCount } from '../../app/cluster.ts';
import { trimWhenQuiet } from '../../app/memory-trim.ts';
import { issueSetupTokenIfNeeded } from '../../directory/first-admin.ts';
import { ensureConsoleClient } from '../../http/routes/console/client.ts';
import { CliError, parse, type Io } from '../support.ts';

export const summary = 'run the server (what npm start does); --workers N runs N processes sharing the port';

export const USAGE = 'tessera serve [--workers N]   (default: TESSERA_WORKERS, else one worker per core; --workers 1: a single process)';

/** What the operator reads once the server listens: where it runs, and the one-time first-admin link when nobody can sign in yet. */
async function announceRunning(ctx: AppContext, io: Io, port: number, workers = 1): Promise<void> {
  const processes = workers > 1 ? `, ${workers} workers` : '';
  io.out(`Tessera is running at ${ctx.config.issuer} (listening on ${ctx.config.host}:${port}, store: ${ctx.store.engine}${processes})`);
  const setup = await issueSetupTokenIfNeeded(ctx.store);
  if (!setup) return;
  // Printed to the operator's terminal only: the token is a secret and never goes to the log.
  io.out('');
  io.out('No administrator exists yet. Open this one-time link within the hour to create the first global admin:');
  io.out(`  ${ctx.config.issuer}/setup?token=${setup.token}`);
  io.out('');
}

/** One server process: the whole server alone, or one worker of several. */
async function serveProcess(config: Config): Promise<{ ctx: AppContext; port: number; stop: () => Promise<void> }> {
  const ctx = await createContext(config);
  const { buildServer } = await import('../../http/server.ts');
  const app = await buildServer(ctx);
  if (!cluster.isWorker) await ensureConsoleClient(ctx);
  await app.listen({ host: config.host, port: config.port });
  const stopTrimming = trimWhenQuiet(ctx.logger);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return { ctx, port, stop: async () => { stopTrimming(); await app.close(); await ctx.store.close(); } };
}

function onSignals(stop: (signal: NodeJS.Signals) => Promise<void>, logger: AppContext['logger']): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    stop(signal).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
}

async function servePrimary(config: Config, count: number, io: Io): Promise<void> {
  const ctx = await createContext(config);
  await ensureConsoleClient(ctx);
  const supervisor = superviseWorkers(count, config.port, ctx.logger, (why) => {
    io.err(`tessera: ${why}`);
    void supervisor.stop('SIGTERM').then(() => process.exit(1));
  });
  onSignals(async (signal) => {
    await supervisor.stop(signal);
    await ctx.store.close();
  }, ctx.logger);
  const port = await supervisor.listening;
  trimWhenQuiet(ctx.logger);
  await announceRunning(ctx, io, port || config.port, count);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, { workers: { type: 'string' } }, USAGE);
  const config = loadConfig();
  if (cluster.isPrimary) checkDataDirWritable(config.dataDir);
  const count = values.workers === undefined && config.workers ? config.workers : workerCount(values.workers);
  if (typeof count === 'object') throw new CliError(`${count.error}\nusage: ${USAGE}`, 2);
  if (count > 1 && cluster.isPrimary) {
    await servePrimary(config, count, io);
  } else {
    const server = await serveProcess(config);
    onSignals(server.stop, server.ctx.logger);
    if (!cluster.isWorker) await announceRunning(server.ctx, io, server.port);
  }
  await new Promise(() => {});
  return 0;
}
