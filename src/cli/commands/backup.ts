import { resolve } from 'node:path';
import { takeBackup } from '../../store/backup/backup.ts';
import { BackupError } from '../../store/backup/errors.ts';
import { PgToolError } from '../../store/backup/pg-tools.ts';
import { CliError, parse, printJson, withContext, type Io } from '../support.ts';
import { MASTER_KEY_REMINDER } from './restore.ts';

export const summary = 'a consistent snapshot of the whole store while the server runs (SQLite: VACUUM INTO; PostgreSQL: pg_dump)';

export const USAGE = 'tessera backup <file> [--json]';

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  if (positionals.length !== 1) throw new CliError(`expected the backup file's name\nusage: ${USAGE}`, 2);
  const file = resolve(positionals[0]!);
  try {
    const taken = await withContext((ctx) => takeBackup(ctx.config, ctx.store, file));
    if (values.json) printJson(io, taken);
    else io.out(`backed up the ${taken.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'} store to ${taken.file} (${(taken.bytes / 1024).toFixed(0)} KiB, ${taken.takenAt})`);
    io.err(MASTER_KEY_REMINDER);
    return 0;
  } catch (err) {
    if (err instanceof BackupError || err instanceof PgToolError) throw new CliError(err.message, 1);
    throw err;
  }
}
