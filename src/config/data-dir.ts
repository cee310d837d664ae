import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from './config.ts';

/**
 * Before serving: the data directory must take writes (the SQLite database,
 * its journal, the generated master key). A read-only or full disk found
 * here is one line naming the directory, not a stack from deep inside.
 */
export function checkDataDirWritable(dataDir: string): void {
  const probe = join(dataDir, `.write-check-${process.pid}`);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(probe, 'ok', { mode: 0o600 });
  } catch (err) {
    const code = ancestorProblem(dataDir) ?? (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full'
      : code === 'EROFS' ? 'it is on a read-only file system'
        : code === 'EACCES' || code === 'EPERM' ? 'this user may not write there'
          : `it cannot be written (${code ?? 'unknown error'})`;
    throw new ConfigError(`TESSERA_DATA_DIR: ${dataDir} cannot be used: ${why}. Tessera keeps its database and keys there.`);
  } finally {
    rmSync(probe, { force: true });
  }
}

/** mkdir on a read-only file system can say ENOENT; the nearest existing folder tells the real reason. */
function ancestorProblem(dir: string): string | undefined {
  let at = dir;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    accessSync(at, constants.W_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
}
