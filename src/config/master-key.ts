import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, writeFileSync, chmodSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Config } from './config.ts';

const FILE = 'master.key';

/**
 * The key that encrypts secrets at rest (TOTP seeds, signing keys). Taken from
 * TESSERA_MASTER_KEY when set; otherwise created once in the data directory,
 * readable by the owner only, so a fresh install needs no manual step.
 */
export function loadMasterKey(config: Config): Buffer {
  if (config.masterKey) return decode(config.masterKey, 'TESSERA_MASTER_KEY');
  const path = join(config.dataDir, FILE);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  try {
    const text = readFileSync(path, 'utf8').trim();
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return decode(text, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  // Written whole to a file of its own, then linked into place: the link fails if another process
  // starting at the same moment got there first (then its key is the one), and nobody can read the
  // key file while it is still empty.
  const draft = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(draft, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, path);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return decode(readFileSync(path, 'utf8').trim(), path);
  } finally {
    unlinkSync(draft);
  }
}

function decode(text: string, where: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new ConfigError(`${where}: must be 32 random bytes in base64`);
  return key;
}
