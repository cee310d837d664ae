import type { AppContext } from '../../app/context.ts';
import { lazyModule } from '../../app/lazy.ts';
import { registerDirectoryPasswords } from '../../methods/password/directory.ts';
import type { Db, Tx } from '../../store/store.ts';
import { registerPasswordOwner } from '../../directory/password-source.ts';
import { toSource, type DirectorySource } from './sources.ts';

/**
 * The password step for a person whose source checks passwords in the
 * directory: a bind as their DN with what they typed. The caller (the password
 * factor) throttles and logs it exactly as a local password. Neither the
 * password nor the bind's error text is logged; a directory that cannot be
 * reached refuses the password (fail closed) and is logged by source name only.
 */
// The LDAP client library is loaded by the first directory password checked, not at start-up.
const connection = lazyModule(() => import('./connect.ts'));

async function bindSourceOf(db: Db | Tx, userId: string): Promise<{ source: DirectorySource; dn: string } | null> {
  const row = await db.selectFrom('ldap_users').innerJoin('ldap_sources', 'ldap_sources.id', 'ldap_users.source_id')
    .selectAll('ldap_sources').select('ldap_users.dn').where('ldap_users.user_id', '=', userId).executeTakeFirst();
  if (!row) return null;
  const source = toSource(row);
  return source.settings.passwordBind ? { source, dn: row.dn } : null;
}

export async function checkDirectoryPassword(ctx: Pick<AppContext, 'store' | 'logger'>, userId: string, password: string): Promise<boolean | null> {
  const found = await bindSourceOf(ctx.store.db, userId);
  if (!found) return null;
  // An empty password is an unauthenticated bind (RFC 4513 §5.1.2), which many servers accept: never a sign-in.
  if (password.length === 0 || password.length > 1024) return false;
  const { withBoundClient, refusedBind } = await connection();
  try {
    return await withBoundClient(found.source.settings, found.dn, password, async () => true);
  } catch (err) {
    if (!refusedBind(err)) ctx.logger.warn({ source: found.source.name, error: (err as Error).name }, 'directory password check failed: the directory did not answer');
    return false;
  }
}

/** Whether the person's password is the directory's: the account page and the password reset then send them there. */
export async function passwordInDirectory(db: Db | Tx, userId: string): Promise<boolean> {
  return !!(await bindSourceOf(db, userId));
}

/**
 * Registered at the composition root: the password factor asks it before the
 * local hash, and changing or resetting the password here is refused for the
 * people whose password the directory keeps.
 */
export function installDirectoryPasswords(ctx: Pick<AppContext, 'store' | 'logger'>): void {
  registerPasswordOwner(passwordInDirectory);
  registerDirectoryPasswords(ctx.store, {
    check: (userId, password) => checkDirectoryPassword(ctx, userId, password),
    livesInDirectory: (userId) => passwordInDirectory(ctx.store.db, userId),
  });
}
