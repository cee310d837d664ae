import type { Config } from '../../config/config.ts';
import type { Store } from '../store.ts';
import { masterKeyCheck } from './key-check.ts';

/** What a backup says about itself, read back before a restore. */
export interface BackupInfo {
  takenAt: string;
  engine: 'sqlite' | 'postgres';
  keyCheck: string;
  /** The migrations the backed-up store had run. */
  migrations: string[];
}

export const INFO_NAMES = { keyCheck: 'master_key_check', takenAt: 'backup_taken_at', engine: 'backup_engine' } as const;

/** Writes the key check and the time into the live store, so the snapshot taken next carries them. */
export async function stampBackup(store: Store, config: Config, takenAt: string): Promise<void> {
  const rows = [
    { name: INFO_NAMES.keyCheck, value: masterKeyCheck(config), updated_at: takenAt },
    { name: INFO_NAMES.takenAt, value: takenAt, updated_at: takenAt },
    { name: INFO_NAMES.engine, value: store.engine, updated_at: takenAt },
  ];
  await store.db
    .insertInto('store_info')
    .values(rows)
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: (eb) => eb.ref('excluded.value'), updated_at: (eb) => eb.ref('excluded.updated_at') }))
    .execute();
}

export function infoFrom(values: Map<string, string>, migrations: string[]): BackupInfo | null {
  const keyCheck = values.get(INFO_NAMES.keyCheck);
  const takenAt = values.get(INFO_NAMES.takenAt);
  const engine = values.get(INFO_NAMES.engine);
  if (!keyCheck || !takenAt || (engine !== 'sqlite' && engine !== 'postgres')) return null;
  return { keyCheck, takenAt, engine, migrations };
}
