import type { Db, Tx } from '../store/store.ts';

/**
 * Whether a person's password lives in a directory (an LDAP source that checks
 * passwords by a bind) rather than in Tessera: then Tessera neither changes
 * nor resets it, and says where to go instead. Directory sources register
 * their answer at the composition root, so this module imports none of them.
 */
export type PasswordOwner = (db: Db | Tx, userId: string) => Promise<boolean>;

const owners: PasswordOwner[] = [];

export function registerPasswordOwner(owner: PasswordOwner): void {
  if (!owners.includes(owner)) owners.push(owner);
}

export async function passwordManagedElsewhere(db: Db | Tx, userId: string): Promise<boolean> {
  for (const owner of owners) if (await owner(db, userId)) return true;
  return false;
}
