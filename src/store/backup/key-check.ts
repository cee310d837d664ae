import { timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config/config.ts';
import { deriveSubkey } from '../../config/subkeys.ts';

/**
 * What tells whether a backup's secrets open with this installation's master
 * key, without holding the key: a value derived from it for this one purpose
 * (HKDF, so it says nothing of the key). Secrets in a backup (authenticator
 * seeds, signing keys) are sealed with the key of the installation that made
 * it, and the key is never part of a backup.
 */
export function masterKeyCheck(config: Config): string {
  return deriveSubkey(config, 'master key check').toString('hex');
}

export function keyCheckMatches(config: Config, check: string): boolean {
  const mine = Buffer.from(masterKeyCheck(config), 'hex');
  const theirs = Buffer.from(check, 'hex');
  return theirs.length === mine.length && timingSafeEqual(mine, theirs);
}
