import { loadConfig } from '../../config/config.ts';
import { createContext } from '../../app/context.ts';
import { buildServer } from '../../http/server.ts';
import { issueSetupTokenIfNeeded } from '../../directory/first-admin.ts';
import { ensureConsoleClient } from '../../http/routes/console/client.ts';
import { parse, type Io } from '../support.ts';

export const summary = 'run the server (what npm start does)';

export const USAGE = 'tessera serve';

export async function run(argv: string[], io: Io): Promise<number> {
  parse(argv, {}, USAGE);
  const config = loadConfig();
  const ctx = await createContext(config);
  const app = await buildServer(ctx);
  await ensureConsoleClient(ctx);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  io.out(`Tessera is running at ${config.issuer} (listening on ${config.host}:${port}, store: ${ctx.store.engine})`);

  const setup = await issueSetupTokenIfNeeded(ctx.store);
  if (setup) {
    // Printed to the operator's terminal only: the token is a secret and never goes to the log.
    io.out('');
    io.out('No administrator exists yet. Open this one-time link within the hour to create the first global admin:');
    io.out(`  ${config.issuer}/setup?token=${setup.token}`);
    io.out('');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    await ctx.store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await new Promise(() => {});
  return 0;
}
