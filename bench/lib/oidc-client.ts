/**
 * What a benchmark's relying party does, over plain keep-alive HTTP with a
 * cookie jar: the full OpenID Connect path of a password + authenticator-app
 * sign-in (authorization request → sign-in pages → code → token), and the
 * token endpoint calls (client credentials, refresh with rotation).
 */
import { Agent, request as httpRequest } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { PASSWORD, REDIRECT } from './tessera.ts';

export interface Reply {
  status: number;
  location: string | null;
  body: string;
}

export function httpClient(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const cookies = new Map<string, string>();
  const keep = (setCookies: string[]) => {
    for (const c of setCookies) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || eq === pair!.length - 1) cookies.delete(pair!.slice(0, eq));
      else cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  };
  const send = (method: 'GET' | 'POST', path: string, form?: Record<string, string>, extra: Record<string, string> = {}): Promise<Reply> => {
    const headers: Record<string, string> = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...extra };
    const body = form ? new URLSearchParams(form).toString() : undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((ok, fail) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        keep(res.headers['set-cookie'] ?? []);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => ok({ status: res.statusCode ?? 0, location: res.headers.location ?? null, body: text }));
      });
      req.on('error', fail);
      req.end(body);
    });
  };
  return { send, reset: () => cookies.clear(), close: () => agent.destroy() };
}
export type HttpClient = ReturnType<typeof httpClient>;

const pathOf = (location: string) => {
  const u = new URL(location, 'http://x');
  return u.pathname + u.search;
};
const csrfOf = (html: string) => /name="csrf" value="([0-9a-f]{64})"/.exec(html)![1]!;
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
}

async function tokenCall(c: HttpClient, form: Record<string, string>, auth: string): Promise<TokenSet> {
  const reply = await c.send('POST', '/oidc/token', form, { authorization: auth });
  if (reply.status !== 200) throw new Error(`token endpoint: ${reply.status} ${reply.body.slice(0, 200)}`);
  return JSON.parse(reply.body) as TokenSet;
}

/** Follows the provider's redirects (resume, a consent prompt answered by itself) to the app's callback. */
async function followToCode(c: HttpClient, location: string): Promise<string> {
  let at: string | null = location;
  for (let hop = 0; at && !at.startsWith(REDIRECT) && hop < 6; hop++) at = (await c.send('GET', pathOf(at))).location;
  const code = at?.startsWith(REDIRECT) ? new URL(at).searchParams.get('code') : null;
  if (!code) throw new Error(`no code after the sign-in (ended at ${at})`);
  return code;
}

/** One whole sign-in of `username` to client `clientId`, ending with the code redeemed. */
export async function oidcSignIn(c: HttpClient, client: { id: string; secret: string; scope?: string }, username: string, totp: OTPAuth.TOTP): Promise<TokenSet> {
  c.reset();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const q = new URLSearchParams({
    client_id: client.id, redirect_uri: REDIRECT, response_type: 'code', scope: client.scope ?? 'openid',
    code_challenge: challenge, code_challenge_method: 'S256', state: 's',
  });
  // A refresh token needs offline_access, which OpenID Connect grants only with prompt=consent.
  if (q.get('scope')!.includes('offline_access')) q.set('prompt', 'consent');
  const auth = await c.send('GET', `/oidc/auth?${q}`);
  if (!auth.location) throw new Error(`authorization request: ${auth.status} ${auth.body.slice(0, 200)}`);
  const page = pathOf(auth.location);
  const csrf = csrfOf((await c.send('GET', page)).body);
  await c.send('POST', `${page}/username`, { csrf, username });
  await c.send('POST', `${page}/password`, { csrf, password: PASSWORD });
  const done = await c.send('POST', `${page}/totp`, { csrf, code: totp.generate() });
  if (!done.location) throw new Error(`sign-in of ${username}: ${done.status} ${done.body.slice(0, 300)}`);
  const code = await followToCode(c, done.location);
  return tokenCall(c, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(client.id, client.secret));
}

export const refresh = (c: HttpClient, path: string, refreshToken: string, auth: string) =>
  c.send('POST', path, { grant_type: 'refresh_token', refresh_token: refreshToken }, { authorization: auth });

export function totpFor(secret: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
}
