import { existsSync, readdirSync } from 'node:fs';
import { flushCompileCache } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../config/config.ts';
import { CliError, describeError, stdio, type Command } from './support.ts';

/**
 * `tessera <command> …`: each command lives in ./commands/<command>.ts and
 * exports `run`, a one-line `summary` and its `USAGE`; only the named one is loaded.
 */
const folder = join(dirname(fileURLToPath(import.meta.url)), 'commands');

async function help(): Promise<void> {
  stdio.out('usage: tessera <command> [arguments]\n\ncommands:');
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
    const mod = (await import(pathToFileURL(join(folder, file)).href)) as { summary?: string };
    stdio.out(`  ${file.replace(/\.ts$/, '').padEnd(12)} ${mod.summary ?? ''}`);
  }
  stdio.out('\nConfiguration comes from the environment (TESSERA_DATA_DIR, DATABASE_URL, …); see the README.');
}

/** --help or -h anywhere before a `--` (after which everything is an argument). */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    await help();
    return name ? 0 : 2;
  }
  const file = join(folder, `${name}.ts`);
  if (!/^[a-z][a-z-]*$/.test(name) || !existsSync(file)) {
    stdio.err(`tessera: unknown command '${name}' (tessera help lists them)`);
    return 2;
  }
  const mod = (await import(pathToFileURL(file).href)) as { run: Command; summary?: string; USAGE?: string };
  // The command's modules are loaded: keep them in the compile cache (bin/tessera.js) now, not only at
  // exit, which a server may never reach cleanly. A no-op without the cache.
  flushCompileCache();
  if (wantsHelp(rest)) {
    // Asked for, so it goes to standard output with success; a usage after a mistake goes to stderr.
    if (mod.summary) stdio.out(`tessera ${name}: ${mod.summary}\n`);
    stdio.out(`usage: ${mod.USAGE ?? `tessera ${name} …`}`);
    return 0;
  }
  return (await mod.run(rest, stdio)) ?? 0;
}

// Whoever reads the output may stop early (`tessera user show … | head`): that ends the command quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof CliError || err instanceof ConfigError) {
    stdio.err(`tessera: ${err.message}`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  } else {
    stdio.err(`tessera: ${describeError(err)}`);
    process.exitCode = 1;
  }
}
