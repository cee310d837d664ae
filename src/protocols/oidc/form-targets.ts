import type { Db } from '../../store/store.ts';

/**
 * Where a form on Tessera's pages may lead, for CSP form-action: a sign-in or
 * consent form ends in a redirect to the app's redirect URI (browsers check
 * every redirect after a form is sent), the logout form in one to a
 * post-logout URI, and a form_post response posts to the redirect URI. Read
 * from the registered clients for each page that needs it, like everything
 * else about clients: a client added a moment ago works at once on every node.
 */
export async function appFormTargets(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('oidc_clients').select(['redirect_uris', 'post_logout_redirect_uris']).execute();
  const targets = new Set<string>();
  for (const row of rows) {
    for (const uri of [...(JSON.parse(row.redirect_uris) as string[]), ...(JSON.parse(row.post_logout_redirect_uris) as string[])]) {
      const source = sourceOf(uri);
      if (source) targets.add(source);
    }
  }
  return [...targets].sort();
}

/**
 * A CSP source for a URI: its origin; for a native app's loopback address any
 * port (the app listens where it can: RFC 8252); for a native app's own scheme
 * (com.example.app:/cb), which has no origin, the scheme. CSP cannot name an
 * IPv6 address, so [::1] gets nothing.
 */
function sourceOf(uri: string): string | null {
  const url = URL.parse(uri);
  if (!url || url.hostname.startsWith('[')) return null;
  if (url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1')) return `http://${url.hostname}:*`;
  if (url.origin !== 'null') return url.origin;
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) && !['javascript:', 'data:', 'file:', 'vbscript:'].includes(url.protocol) ? url.protocol : null;
}
