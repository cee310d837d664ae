/**
 * The size of V8's young generation in the server's processes. V8 sizes its
 * semi-spaces (where new objects are made) from the machine's memory: on a
 * machine with many gigabytes each grows to 32 or 64 MB during start-up and
 * stays there, which is most of what a fresh server process holds beyond its
 * code and data. Tessera's request work makes small, short-lived objects, so
 * 8 MB semi-spaces cost no measurable throughput (bench/memory.ts and
 * bench/client-credentials.ts with --max-semi-space-size 4, 8, 16 and V8's own
 * choice; the figures are in the commit that set this) and save tens of
 * megabytes per process. V8 reads the size only when a process starts, so
 * `tessera serve` starts itself again with the flag (bin/tessera.js) and the
 * cluster gives it to every worker. An operator's own choice, on the command
 * line or in NODE_OPTIONS, stands: --max-semi-space-size=0 gives V8's default.
 */
export const SEMI_SPACE_MB = 8;

const CHOSEN = /(^|\s)--max[-_]semi[-_]space[-_]size(=|\s|$)/;

/** The flags to add to a Node process's own, so it runs with Tessera's young generation: none when one was chosen already. */
export function youngGenerationFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  if (CHOSEN.test(execArgv.join(' ')) || CHOSEN.test(nodeOptions ?? '')) return [];
  return [`--max-semi-space-size=${SEMI_SPACE_MB}`];
}

/**
 * For `tessera serve` started without the flag: the command line to start it
 * again with it (process.execve replaces the process, keeping its id, its
 * standard streams and its environment). Null when nothing is to be added.
 */
export function restartWithYoungGeneration(process: Pick<NodeJS.Process, 'execArgv' | 'argv' | 'env'>): string[] | null {
  const flags = youngGenerationFlags(process.execArgv, process.env.NODE_OPTIONS);
  if (!flags.length) return null;
  return [process.argv[0]!, ...flags, ...process.execArgv, ...process.argv.slice(1)];
}
