import type { TestContext } from 'node:test';
import { createLogger } from '../../../src/app/logger.ts';
import { auditedChange } from '../../../src/audit/append.ts';
import type { Config } from '../../../src/config/config.ts';
import { insertUser, type User } from '../../../src/directory/users.ts';
import { writeSigninLog, type SigninLogEntry } from '../../../src/monitor/signin-log.ts';
import { scanOnce, SETTLE_MS } from '../../../src/monitor/detections/scanner.ts';
import type { Store } from '../../../src/store/store.ts';
import { openTestStore, type EngineName, type TestStore } from '../../support/engines.ts';

/**
 * The detection tests' scaffolding: a fresh store per scripted sequence (the
 * counting detections look at everything in their window, so sequences must
 * not meet), people, sign-in log rows written as the engine writes them, and
 * a scan "a moment later" (past the settle time the scanner waits for).
 */
export async function freshStore(t: TestContext, engine: EngineName): Promise<TestStore> {
  const ts = await openTestStore(engine);
  t.after(() => ts.close());
  // The scanner starts at the upgrade; the scripted sequences are written in the past.
  await ts.store.db.updateTable('detection_state').set({ signin_at: '' }).execute();
  return ts;
}

export function scanContext(store: Store, issuer = 'https://id.example.test') {
  return { store, config: { issuer } as Config, logger: createLogger('silent') };
}

export const later = (): Date => new Date(Date.now() + SETTLE_MS + 1000);

export const scan = (store: Store, holder = 'node:test') => scanOnce(scanContext(store), holder, later());

export async function person(store: Store, username: string, email: string | null = `${username}@example.com`): Promise<User> {
  return auditedChange(store, async (trx, record) => {
    const user = await insertUser(trx, { username, email, displayName: username });
    await record({ actor: 'test', action: 'user.create', target: `user:${user.id}` });
    return user;
  });
}

export const minutesAgo = (m: number): Date => new Date(Date.now() - m * 60_000);

/** A row as the sign-in engine writes it (src/signin/steps/prove.ts, complete.ts). */
export function signin(store: Store, who: User | string, entry: Omit<SigninLogEntry, 'userId' | 'username'>): Promise<void> {
  const user = typeof who === 'string' ? null : who;
  return writeSigninLog(store.db, { userId: user?.id ?? null, username: user?.username ?? (who as string), ...entry });
}

export async function alertsOf(store: Store, kind?: string) {
  let q = store.db.selectFrom('alerts').selectAll();
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('created_at').execute();
}
