import { Client, InvalidCredentialsError, ResultCodeError } from 'ldapts';
import type { ConnectionOptions } from 'node:tls';
import type { SourceSettings } from './settings.ts';
import { transportProblem } from './settings.ts';

/**
 * A connection to a source's directory, TLS unless plain text was allowed by
 * name: ldaps:// from the start, or ldap:// upgraded by StartTLS before any
 * bind, the server's certificate checked against the source's CA (or the
 * system's). Nothing here logs: a bind carries a password.
 */
const TIMEOUT_MS = 10_000;

function tlsOptions(s: SourceSettings): ConnectionOptions {
  const host = new URL(s.url).hostname;
  return { ca: s.caPem ? [s.caPem] : undefined, servername: /^[\d.:[\]]+$/.test(host) ? undefined : host, minVersion: 'TLSv1.2' };
}

/** An unbound connection, secured as the settings say. The caller unbinds it. */
export async function connect(s: SourceSettings): Promise<Client> {
  const problem = transportProblem(s);
  if (problem) throw new Error(problem);
  const secure = /^ldaps:/i.test(s.url);
  // TLS options go to the constructor for ldaps:// only; for StartTLS they go to startTLS (given to both, the upgrade stalls).
  const client = new Client({ url: s.url, timeout: TIMEOUT_MS, connectTimeout: TIMEOUT_MS, ...(secure ? { tlsOptions: tlsOptions(s) } : {}) });
  if (s.startTls) {
    try {
      await client.startTLS(tlsOptions(s));
    } catch (err) {
      await client.unbind().catch(() => {});
      throw err;
    }
  }
  return client;
}

/** Runs `fn` on a connection bound as `dn`; always unbinds. */
export async function withBoundClient<T>(s: SourceSettings, dn: string, password: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await connect(s);
  try {
    await client.bind(dn, password);
    return await fn(client);
  } finally {
    await client.unbind().catch(() => {});
  }
}

/** Whether the directory refused the bind's DN and password (not: could not be reached). */
export const refusedBind = (err: unknown): boolean => err instanceof InvalidCredentialsError;

/** An LDAP failure in words an operator can act on (ldapts's own messages can be a bare result code). */
export function describeLdapError(err: unknown): string {
  if (err instanceof InvalidCredentialsError) return 'the directory refused the bind (invalid credentials)';
  if (err instanceof ResultCodeError) return `the directory answered ${err.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} (LDAP result ${err.code})`;
  return err instanceof Error ? err.message : String(err);
}
