import * as OTPAuth from 'otpauth';
import type { AppContext } from '../../src/app/context.ts';
import { auditedChange } from '../../src/audit/append.ts';
import { insertUser, type User } from '../../src/directory/users.ts';
import { hashPassword } from '../../src/methods/password/hash.ts';

/** A user with a password and the given roles, created the way the directory does (audited). */
export async function createUserWithPassword(
  ctx: AppContext,
  username: string,
  password: string,
  roles: string[] = [],
): Promise<User> {
  const hash = await hashPassword(password);
  return auditedChange(ctx.store, async (trx, record) => {
    const user = await insertUser(trx, { username, email: `${username}@example.com`, displayName: username });
    const now = new Date().toISOString();
    await trx.insertInto('password_credentials').values({ user_id: user.id, hash, created_at: now, updated_at: now }).execute();
    for (const role of roles) {
      await trx.insertInto('role_assignments').values({ user_id: user.id, role, granted_at: now, granted_by: 'test' }).execute();
    }
    await record({ actor: 'test', action: 'user.create', target: `user:${user.id}`, after: user });
    return user;
  });
}

/** The code an authenticator app shows for this secret, `offsetSteps` periods from now. */
export function totpCode(secretBase32: string, offsetSteps = 0): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secretBase32.replace(/\s/g, '')), digits: 6, period: 30, algorithm: 'SHA1' });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}
