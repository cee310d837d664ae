/**
 * A tiny cookie-keeping HTTP client for tests and benchmarks: it follows no
 * redirect by itself, so each step of a sign-in is one request, as a browser
 * without JavaScript would make it.
 */
export class Browserish {
  readonly base: string;
  readonly cookies = new Map<string, string>();
  /** Called with every response's headers (a test may want to see which node answered). */
  observe?: (headers: Headers) => void;
  constructor(base: string) {
    this.base = base;
  }

  async request(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<{ status: number; location: string | null; body: string }> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    keepCookies(this.cookies, res.headers.getSetCookie());
    this.observe?.(res.headers);
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }
}

/** Applies Set-Cookie headers to a cookie jar as a browser would: set, replace, or delete when expired. */
export function keepCookies(jar: Map<string, string>, setCookies: readonly string[]): void {
  for (const c of setCookies) {
    const [pair] = c.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}

export function hiddenCsrf(html: string): string {
  const m = /name="csrf" value="([0-9a-f]{64})"/.exec(html);
  if (!m) throw new Error('no csrf field on the page');
  return m[1]!;
}

/** Walks the portal sign-in up to the page after the password; returns the sign-in page path. */
export async function startPortalSignin(b: Browserish, username: string, password: string, returnTo = '/account') {
  const start = await b.request('GET', `/signin?return_to=${encodeURIComponent(returnTo)}`);
  const path = start.location!;
  const csrf = hiddenCsrf((await b.request('GET', path)).body);
  await b.request('POST', `${path}/username`, { csrf, username });
  const pw = await b.request('POST', `${path}/password`, { csrf, password });
  return { path, csrf, afterPassword: pw };
}
