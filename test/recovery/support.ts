import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../src/app/context.ts';
import { createLogger } from '../../src/app/logger.ts';
import type { Config } from '../../src/config/config.ts';
import { SecretBox } from '../../src/config/secret-box.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { insertUser, type User } from '../../src/directory/users.ts';
import type { UserKind } from '../../src/directory/tables.ts';
import { openTestStore, type EngineName, type TestStore } from '../support/engines.ts';

/** A context over a fresh store of one engine, for the recovery services (no HTTP). */
export interface RecoveryTestContext {
  ctx: AppContext;
  ts: TestStore;
  close(): Promise<void>;
}

export async function recoveryContext(engine: EngineName): Promise<RecoveryTestContext> {
  const ts = await openTestStore(engine);
  const config = {
    dataDir: '/nonexistent',
    database: ts.database,
    issuer: 'https://id.example.test',
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    session: { idleSeconds: 3600, absoluteSeconds: 12 * 3600 },
    trustProxy: false,
  } as Config;
  const ctx: AppContext = { config, store: ts.store, logger: createLogger('silent'), secrets: new SecretBox(randomBytes(32)) };
  return { ctx, ts, close: () => ts.close() };
}

/** A user with roles (no password), created the way the directory does (audited). */
export async function addPerson(ctx: Pick<AppContext, 'store'>, username: string, roles: string[] = [], kind: UserKind = 'person'): Promise<User> {
  return auditedChange(ctx.store, async (trx, record) => {
    const user = await insertUser(trx, { username, kind });
    const now = new Date().toISOString();
    for (const role of roles) await trx.insertInto('role_assignments').values({ user_id: user.id, role, granted_at: now, granted_by: 'test' }).execute();
    await record({ actor: 'test', action: 'user.create', target: `user:${user.id}`, after: user });
    return user;
  });
}
