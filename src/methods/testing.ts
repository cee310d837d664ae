import { randomBytes } from 'node:crypto';
import { SecretBox } from '../config/secret-box.ts';
import { insertUser } from '../directory/users.ts';
import type { Store } from '../store/store.ts';
import { openTestStore, type EngineName, type TestStore } from '../../test/support/engines.ts';
import type { EnrolmentContext } from './context.ts';

/** For the methods' tests: a store on the given engine plus a throw-away master key. */
export interface MethodTestContext extends EnrolmentContext {
  ts: TestStore;
}

export async function methodTestContext(engine: EngineName): Promise<MethodTestContext> {
  const ts = await openTestStore(engine);
  return { ts, store: ts.store, secrets: new SecretBox(randomBytes(32)), config: { issuer: 'https://id.example.test' } };
}

let counter = 0;
export async function addUser(store: Store, name = `user${++counter}`): Promise<string> {
  const user = await store.serialized('test.users', (trx) => insertUser(trx, { username: name }));
  return user.id;
}

export async function auditActions(store: Store, userId: string): Promise<string[]> {
  const rows = await store.db.selectFrom('audit_log').select('action').where('target', '=', `user:${userId}`).orderBy('seq').execute();
  return rows.map((r) => r.action);
}
