import type { Db } from '../store/store.ts';
import type { User } from '../directory/users.ts';
import { loadSubject } from '../policy/store/facts.ts';

export interface UserFacts {
  user: User;
  roles: string[];
  isAdmin: boolean;
  /** Types of the active second factors the user has registered (totp, backup_code, …). */
  secondFactors: string[];
  /** Types of every active method the user has registered, password included. */
  methods: string[];
  /** Names of the person's groups (read with the rest, so the decision need not read them again). */
  groups?: readonly string[];
}

/** What the engine needs to know about a user to decide the next step (the access decision's subject, plus shorthands). */
export async function loadUserFacts(db: Db, userId: string): Promise<UserFacts | null> {
  const s = await loadSubject(db, userId);
  if (!s) return null;
  const methods = [...s.methods];
  return { user: s.user, roles: [...s.roles], groups: s.groups, isAdmin: s.roles.length > 0, secondFactors: methods.filter((t) => t !== 'password'), methods };
}
