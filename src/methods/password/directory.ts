/**
 * The port through which a password that lives in another directory (an LDAP
 * source with the password check on) is checked instead of the local hash.
 * Registered at the composition root, so this layer imports no protocol.
 * `check` answers null when the person's password is not in a directory, and
 * otherwise whether the directory accepted it; it must fail closed (false)
 * when the directory cannot be reached.
 */
export interface DirectoryPasswords {
  check(userId: string, password: string): Promise<boolean | null>;
  /** Whether the person's password lives in a directory (changing it here is then refused). */
  livesInDirectory(userId: string): Promise<boolean>;
}

const NONE: DirectoryPasswords = { check: async () => null, livesInDirectory: async () => false };
// Per store: a process may hold several (tests, a second node), each with its own master key.
const registered = new WeakMap<object, DirectoryPasswords>();

export function registerDirectoryPasswords(store: object, port: DirectoryPasswords): void {
  registered.set(store, port);
}

export function directoryPasswords(store: object): DirectoryPasswords {
  return registered.get(store) ?? NONE;
}
