import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../../store/store.ts';
import { clientRow } from './client-rows.ts';

/**
 * Where a form on Tessera's pages may lead, for CSP form-action: a sign-in or
 * consent form ends in a redirect to the app's redirect URI (browsers check
 * every redirect after a form is sent), the logout form in one to a
 * post-logout URI, and a form_post response posts to the redirect URI. A page
 * serves one app, so it names that app's places only: read with the client
 * the page is for (oidc-provider has it loaded already; a sign-in page reads
 * its one row), never a list of every app.
 */
export interface FormTargetClient {
  redirectUris?: readonly string[];
  postLogoutRedirectUris?: readonly string[];
}

export function formTargetsOf(client: FormTargetClient): string[] {
  const targets = new Set<string>();
  for (const uri of [...(client.redirectUris ?? []), ...(client.postLogoutRedirectUris ?? [])]) {
    const source = sourceOf(uri);
    if (source) targets.add(source);
  }
  return [...targets].sort();
}

/** What a sign-in page shows of its app: the name people know it by, and where its forms may lead. */
export interface PageApp {
  /** The display name; the client id when it has none; null for the account page (no app). */
  name: string | null;
  formTargets: string[];
}

/** One registered app, read once per page (a RADIUS or SAML app is not an OIDC client: its id is its name). */
export async function pageApp(db: Db, clientId: string | null): Promise<PageApp> {
  if (!clientId) return { name: null, formTargets: [] };
  const row = await clientRow(db, clientId);
  if (!row) return { name: clientId, formTargets: [] };
  const formTargets = formTargetsOf({ redirectUris: JSON.parse(row.redirect_uris) as string[], postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[] });
  return { name: row.name || clientId, formTargets };
}

const SELF_ONLY = "form-action 'self'";

/**
 * oidc-provider's own pages (a form_post response, the logout question) get
 * their app's targets once the provider has answered: by then it has found the
 * client, and it has added its script hash to the policy set before it ran.
 */
export function addAppFormTargets(provider: Provider): void {
  provider.use(async (kctx, next) => {
    await next();
    const client = (kctx.oidc as KoaContextWithOIDC['oidc'] | undefined)?.client as FormTargetClient | undefined;
    const k = kctx as unknown as { type: string; response: { get(name: string): string }; set(name: string, value: string): void };
    if (!client || !k.type.startsWith('text/html')) return;
    const csp = k.response.get('content-security-policy');
    const targets = formTargetsOf(client);
    if (csp.includes(SELF_ONLY) && targets.length) k.set('content-security-policy', csp.replace(SELF_ONLY, [SELF_ONLY, ...targets].join(' ')));
  });
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
