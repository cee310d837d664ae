import { userInfo } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ZodError } from 'zod';
import { loadConfig } from '../config/config.ts';
import { createContext, type AppContext } from '../app/context.ts';
import { createLogger } from '../app/logger.ts';

/** An error the CLI reports as one line on stderr with a non-zero exit, never a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const stdio: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

/** Each command file exports one of these. */
export type Command = (argv: string[], io: Io) => Promise<number | void>;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nusage: ${usage}`, 2);
  }
}

/** `tessera x [sub] …`: the subcommand when the first word is one (not an option), else `fallback`; and the words after it. */
export function subcommand(argv: string[], fallback: string): [string, string[]] {
  return argv[0] && !argv[0].startsWith('-') ? [argv[0], argv.slice(1)] : [fallback, argv];
}

/** The CLI acts as the operating-system user who ran it; the audit log says so. */
export function cliActor(): string {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  return `cli:${name}`;
}

/** Opens config and store quietly (the CLI's own output is the result), runs fn, closes. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await createContext(loadConfig(), { logger: createLogger('warn', process.stderr) });
  try {
    return await fn(ctx);
  } finally {
    await ctx.store.close();
  }
}

export async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) throw new CliError(`${what} is read from standard input; pipe it in`, 2);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (!text) throw new CliError(`${what} on standard input is empty`, 2);
  return text;
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** A plain aligned table for people; scripts use --json. */
export function printTable(io: Io, rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) {
    io.out('(none)');
    return;
  }
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  io.out(columns.map((c, i) => c.toUpperCase().padEnd(widths[i]!)).join('  ').trimEnd());
  for (const row of cells) io.out(row.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd());
}

export function describeError(err: unknown): string {
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    return `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`;
  }
  return (err as Error).message ?? String(err);
}
