import { resolve } from 'node:path';
import { loadConfig } from '../../config/config.ts';
import { restoreBackup } from '../../store/backup/restore.ts';
import { BackupError } from '../../store/backup/errors.ts';
import { PgToolError } from '../../store/backup/pg-tools.ts';
import { recordAudit } from '../../audit/append.ts';
import { CliError, cliActor, parse, printJson, withContext, type Io } from '../support.ts';

export const summary = 'replaces the whole store with a backup made by tessera backup (stop every node first)';

export const USAGE = 'tessera restore <file> --yes [--json]   (every node stopped; the master key of the installation that made the backup)';

export const MASTER_KEY_REMINDER = [
  '',
  '  !! The master key is NOT in this backup.',
  '  !! Without it the backup cannot be used: its authenticator seeds and signing keys stay sealed.',
  '  !! Keep TESSERA_MASTER_KEY (or master.key in the data directory) safe, apart from the backups.',
  '',
].join('\n');

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { yes: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
  if (positionals.length !== 1) throw new CliError(`expected the backup file's name\nusage: ${USAGE}`, 2);
  if (!values.yes) throw new CliError('a restore replaces everything in the store: stop every node, then run it again with --yes', 2);
  const file = resolve(positionals[0]!);
  io.err(MASTER_KEY_REMINDER);
  try {
    const done = await restoreBackup(loadConfig(), file);
    // Opening the store runs any migrations the backup predates; the restore goes on the restored chain.
    await withContext((ctx) => recordAudit(ctx.store, {
      actor: cliActor(), action: 'store.restore', target: null,
      after: { backupTakenAt: done.info.takenAt, file: file.split('/').pop() },
    }));
    if (values.json) printJson(io, { file, takenAt: done.info.takenAt, kept: done.kept });
    else {
      io.out(`restored the store from ${file} (taken ${done.info.takenAt})`);
      if (done.kept) io.out(`the database it replaced is kept at ${done.kept}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof BackupError || err instanceof PgToolError) throw new CliError(err.message, 1);
    throw err;
  }
}
