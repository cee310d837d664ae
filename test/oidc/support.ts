import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import * as oidc from 'openid-client';
import type { AppContext } from '../../src/app/context.ts';
import type { Config } from '../../src/config/config.ts';
import { SecretBox } from '../../src/config/secret-box.ts';
import { createLogger } from '../../src/app/logger.ts';
import { buildServer } from '../../src/http/server.ts';
import { createSession } from '../../src/signin/session/sessions.ts';
import { sessionCookieName } from '../../src/signin/session/cookie.ts';
import { openTestStore, type EngineName, type TestStore } from '../support/engines.ts';

/**
 * A real Tessera server for the OIDC tests, plus a test-only stand-in for the
 * sign-in pages: GET /signin/<uid>/oidc-test-login?account=…&acr=…&amr=…
 * finishes the pending interaction as if that user had just signed in (and
 * answers a consent prompt), so the protocol can be driven without a browser.
 */
export interface OidcTestServer {
  url: string;
  ctx: AppContext;
  app: FastifyInstance;
  config: Config;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) =>
    probe.listen(0, '127.0.0.1', () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    }),
  );
}

export interface StartOptions {
  /** Serve an existing database (the caller closes it). */
  testStore?: TestStore;
  /** base64; the CLI must use the same one to share sealed keys. */
  masterKey?: string;
  /** The public issuer URL for the port; default http://127.0.0.1:<port>. */
  issuer?: (port: number) => string;
}

export async function startOidcServer(engine: EngineName, options: StartOptions = {}): Promise<OidcTestServer> {
  const testStore = options.testStore ?? (await openTestStore(engine));
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-oidc-'));
  const port = await freePort();
  const config: Config = {
    dataDir,
    database: testStore.database,
    issuer: options.issuer?.(port) ?? `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    masterKey: options.masterKey ?? randomBytes(32).toString('base64'),
    logLevel: 'silent',
    session: { idleSeconds: 3600, absoluteSeconds: 12 * 3600 },
    trustProxy: false,
  };
  const ctx: AppContext = {
    config,
    store: testStore.store,
    logger: createLogger(process.env.TESSERA_TEST_LOG ?? 'silent'),
    secrets: new SecretBox(Buffer.from(config.masterKey!, 'base64')),
  };
  const app = await buildServer(ctx);
  app.get<{ Params: { uid: string }; Querystring: { account: string; acr?: string; amr?: string } }>(
    '/signin/:uid/oidc-test-login',
    async (request, reply) => {
      const interaction = await app.oidc.interactionDetails(request.raw, reply.raw);
      const result =
        interaction.prompt.name === 'consent'
          ? { consent: {} }
          : {
              login: {
                accountId: request.query.account,
                acr: request.query.acr ?? 'urn:tessera:acr:mfa',
                amr: (request.query.amr ?? 'pwd,otp,mfa').split(','),
              },
            };
      if (result.login) {
        // As the real sign-in does: a Tessera session, which the provider's own session depends on.
        const { login } = result;
        const { token } = await createSession(
          ctx.store.db,
          { userId: login.accountId, amr: login.amr, acr: login.acr, mfa: login.amr.includes('mfa') },
          config.session,
        );
        reply.header('set-cookie', `${sessionCookieName(config)}=${token}; Path=/; HttpOnly; SameSite=Lax`);
      }
      const url = await app.oidc.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: true });
      return reply.redirect(url, 303);
    },
  );
  await app.listen({ host: '127.0.0.1', port });
  return {
    url: `http://127.0.0.1:${port}`,
    ctx,
    app,
    config,
    async close() {
      await app.close();
      if (!options.testStore) await testStore.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A tiny cookie jar: enough for one browser-like flow against one host. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Follows redirects by hand (keeping cookies) until the browser would land on
 * `stopAt`; a stop at the sign-in page (/signin/<uid>) goes to the test login.
 */
export async function browse(start: string, stopAt: string, jar: CookieJar, login: URLSearchParams, maxHops = 16): Promise<URL> {
  let url = new URL(start);
  for (let hop = 0; hop < maxHops; hop++) {
    if (url.href.startsWith(stopAt)) return url;
    if (/^\/signin\/[^/]+$/.test(url.pathname)) url = new URL(`${url.pathname}/oidc-test-login?${login}`, url);
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(res);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`expected a redirect from ${url.pathname}, got ${res.status}: ${(await res.text()).slice(0, 400)}`);
    }
    url = new URL(location, url);
  }
  throw new Error('too many redirects');
}

export interface CodeFlowOptions {
  scope?: string;
  prompt?: string;
  acr?: string;
  amr?: string;
  jar?: CookieJar;
}

/**
 * The authorization code flow with PKCE as a relying party runs it, with the
 * test login standing in for the sign-in pages. Returns the callback URL.
 */
export async function authorize(
  config: oidc.Configuration,
  redirectUri: string,
  accountId: string,
  options: CodeFlowOptions = {},
): Promise<{ callback: URL; verifier: string; state: string; jar: CookieJar }> {
  const jar = options.jar ?? new CookieJar();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: options.scope ?? 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...(options.prompt ? { prompt: options.prompt } : {}),
  });
  const login = new URLSearchParams({ account: accountId });
  if (options.acr) login.set('acr', options.acr);
  if (options.amr) login.set('amr', options.amr);
  const callback = await browse(authUrl.href, redirectUri, jar, login);
  return { callback, verifier, state, jar };
}

export async function codeFlow(
  config: oidc.Configuration,
  redirectUri: string,
  accountId: string,
  options: CodeFlowOptions = {},
) {
  const { callback, verifier, state, jar } = await authorize(config, redirectUri, accountId, options);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  return { tokens, jar };
}

/** The OAuth error code, whether it came in the body or in a WWW-Authenticate challenge. */
export function oauthError(err: unknown): string | undefined {
  if (err instanceof oidc.ResponseBodyError) return err.error;
  if (err instanceof oidc.WWWAuthenticateChallengeError) return err.cause[0]?.parameters.error;
  return undefined;
}
