import { readFileSync, writeFileSync } from 'node:fs';
import type { ImportReport } from '../directory/user-import.ts';
import { CliError, cliActor, parse, printJson, withContext, type Io } from './support.ts';

/** `tessera user import` and `tessera user export`: people and groups as CSV. */
export const CSV_USAGE = `tessera user import <file.csv> [--dry-run] [--json]   (header row: username,email[,display_name][,kind][,groups]; groups separated by ;)
       tessera user export [file.csv]   (the same format; standard output without a file)`;

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 2);
  }
}

function summary(r: ImportReport): string {
  const counts = `${r.created.length} created, ${r.updated.length} updated, ${r.unchanged.length} unchanged; ${r.groupsCreated.length} new groups, ${r.membershipsAdded} memberships added`;
  return r.dryRun ? `dry run, nothing written; the file would give: ${counts}` : counts;
}

export async function runUserImport(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } }, CSV_USAGE);
  if (positionals.length !== 1) throw new CliError(`expected one file\nusage: ${CSV_USAGE}`, 2);
  const text = readFile(positionals[0]!);
  // Loaded when used: `tessera user list` reads this file's usage text only.
  const { importUsersCsv } = await import('../directory/user-import.ts');
  const report = await withContext((ctx) => importUsersCsv(ctx.store, text, { actor: cliActor() }, { dryRun: !!values['dry-run'] }));
  if (values.json) printJson(io, report);
  if (report.errors.length) {
    for (const e of report.errors) io.err(`line ${e.line}: ${e.message}`);
    io.err(`nothing was imported: ${report.errors.length} error${report.errors.length === 1 ? '' : 's'}; mend the lines above and import the file again`);
    return 1;
  }
  if (!values.json) io.out(summary(report));
  return 0;
}

export async function runUserExport(argv: string[], io: Io): Promise<number> {
  const { positionals } = parse(argv, {}, CSV_USAGE);
  if (positionals.length > 1) throw new CliError(`expected at most one file\nusage: ${CSV_USAGE}`, 2);
  const { exportUsersCsv } = await import('../directory/user-import.ts');
  const csv = await withContext((ctx) => exportUsersCsv(ctx.store.db));
  // The file names people and their addresses: readable by its owner only.
  if (positionals[0]) writeFileSync(positionals[0], csv, { mode: 0o600 });
  else io.out(csv.replace(/\r\n$/, ''));
  return 0;
}
