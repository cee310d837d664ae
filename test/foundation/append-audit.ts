/**
 * A separate process appending audit entries in a loop, for the concurrency
 * test: `node append-audit.ts <database-json> <count> <actor>`. It prints
 * "ready" once connected and starts when a line arrives on stdin, so the test
 * can release several of them at the same moment.
 */
import { once } from 'node:events';
import { recordAudit } from '../../src/audit/append.ts';
import { openStore } from '../../src/store/store.ts';
import type { Config } from '../../src/config/config.ts';

const [databaseJson, countText, actor] = process.argv.slice(2);
const database = JSON.parse(databaseJson!) as Config['database'];
const store = await openStore(database, { migrate: false });
try {
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  for (let i = 0; i < Number(countText); i++) {
    await recordAudit(store, { actor: actor!, action: 'test.append', target: `n:${i}` });
  }
} finally {
  await store.close();
}
