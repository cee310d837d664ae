import { hkdfSync } from 'node:crypto';
import type { Config } from './config.ts';
import { loadMasterKey } from './master-key.ts';

/**
 * Keys for other jobs, derived from the master key with HKDF-SHA256 so the
 * master key itself is only ever used to seal secrets. The purpose string is
 * the HKDF "info": different purposes give unrelated keys, and every node with
 * the same master key derives the same ones.
 */
export function deriveSubkey(config: Config, purpose: string, length = 32): Buffer {
  const master = loadMasterKey(config);
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `tessera:${purpose}`, length));
}
