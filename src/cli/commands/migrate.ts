import { loadConfig } from '../../config/config.ts';
import { openStore } from '../../store/store.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { parse, type Io } from '../support.ts';

export const summary = 'apply database migrations (start-up does this too)';

export const USAGE = 'tessera migrate';

export async function run(argv: string[], io: Io): Promise<number> {
  parse(argv, {}, USAGE);
  const config = loadConfig();
  const store = await openStore(config.database, { migrate: false });
  try {
    const results = await migrateToLatest(store);
    if (results.length === 0) io.out(`database is up to date (${store.engine})`);
    for (const r of results) io.out(`applied ${r.migrationName}`);
    return 0;
  } finally {
    await store.close();
  }
}
