/**
 * The part of oidc-provider 9 that Tessera uses, typed by hand: the package
 * ships no type declarations. Only what our code touches is declared here; see
 * the library's own documentation for the full surface.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AdapterPayload {
    jti?: string;
    kind?: string;
    exp?: number;
    iat?: number;
    accountId?: string;
    grantId?: string;
    clientId?: string;
    uid?: string;
    userCode?: string;
    consumed?: unknown;
    [key: string]: unknown;
  }

  /** The storage interface oidc-provider calls, one instance per model name. */
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export type ClaimsObject = Record<string, unknown>;

  export interface Account {
    accountId: string;
    claims(use: string, scope: string, claims: ClaimsObject, rejected: string[]): Promise<ClaimsObject> | ClaimsObject;
  }

  export interface ClientInstance {
    clientId: string;
    clientSecret?: string;
    clientName?: string;
    clientAuthMethod: string;
    applicationType?: string;
    grantTypes: string[];
    redirectUris: string[];
    scope?: string;
    grantTypeAllowed(type: string): boolean;
    compareClientSecret(actual: string): boolean | Promise<boolean>;
  }

  export interface ClientStatic {
    find(id: string): Promise<ClientInstance | undefined>;
    validate(metadata: Record<string, unknown>): Promise<void>;
    readonly prototype: ClientInstance;
  }

  export interface Session {
    uid: string;
    jti: string;
    accountId?: string;
    loginTs?: number;
    acr?: string;
    amr?: string[];
    exp?: number;
    grantIdFor(clientId: string): string | undefined;
  }

  export interface GrantInstance {
    jti: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(indicator: string, scope: string): void;
    getOIDCScope(): string;
    save(ttl?: number): Promise<string>;
  }

  export interface GrantStatic {
    new (properties: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  }

  export interface BaseTokenInstance {
    jti: string;
    iiat?: number;
    iat?: number;
    exp?: number;
    accountId?: string;
    clientId?: string;
    grantId?: string;
    scope?: string;
    save(): Promise<string>;
  }

  export interface TokenStatic {
    new (properties: Record<string, unknown>): BaseTokenInstance;
    find(value: string, options?: { ignoreExpiration?: boolean }): Promise<BaseTokenInstance | undefined>;
  }

  export interface Prompt {
    name: string;
    reasons: string[];
    details: Record<string, unknown>;
  }

  /** What interactionDetails() returns: the pending authorization request. */
  export interface Interaction {
    uid: string;
    jti: string;
    exp: number;
    returnTo: string;
    prompt: Prompt;
    params: Record<string, unknown>;
    grantId?: string;
    lastSubmission?: InteractionResults;
    result?: InteractionResults;
    session?: { uid: string; cookie?: string; accountId?: string; acr?: string; amr?: string[] };
  }

  export interface InteractionResults {
    login?: { accountId: string; acr?: string; amr?: string[]; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
    [key: string]: unknown;
  }

  /** The part of the Koa context with oidc-provider's request state that our callbacks read. */
  export interface OidcContext {
    route: string;
    issuer: string;
    client?: ClientInstance;
    account?: Account;
    session?: Session;
    params?: Record<string, unknown>;
    requestParamOIDCScopes: Set<string>;
    requestParamClaims: Set<string>;
    result?: InteractionResults;
    entities: Record<string, unknown>;
    provider: Provider;
  }

  export interface KoaContextWithOIDC {
    oidc: OidcContext;
    method: string;
    path: string;
    ip: string;
    host: string;
    type: string;
    status: number;
    body: unknown;
    headers: Record<string, string | string[] | undefined>;
    cookies: {
      secure?: boolean;
      get(name: string, options?: { signed?: boolean }): string | undefined;
      set(name: string, value: string | null, options?: Record<string, unknown>): void;
    };
    get(header: string): string;
  }

  export interface Check {
    reason: string;
  }
  export interface CheckConstructor {
    new (
      reason: string,
      description: string,
      check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>,
    ): Check;
    new (
      reason: string,
      description: string,
      error: string,
      check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>,
    ): Check;
    REQUEST_PROMPT: true;
    NO_NEED_TO_PROMPT: false;
  }
  export interface PolicyPrompt {
    name: string;
    checks: Check[] & { add(check: Check, index?: number): void; get(reason: string): Check | undefined };
  }
  export type InteractionPolicy = PolicyPrompt[] & { get(name: string): PolicyPrompt | undefined };

  export const interactionPolicy: {
    base(): InteractionPolicy;
    Check: CheckConstructor;
  };

  export class OIDCProviderError extends Error {
    error: string;
    error_description?: string;
    error_detail?: string;
    status: number;
    statusCode: number;
  }

  type OIDCErrorClass = new (description?: string, detail?: string) => OIDCProviderError;
  export const errors: {
    OIDCProviderError: typeof OIDCProviderError;
    InvalidClientMetadata: OIDCErrorClass;
    InvalidRequest: OIDCErrorClass;
    InvalidTarget: OIDCErrorClass;
    InvalidGrant: OIDCErrorClass;
    UnauthorizedClient: OIDCErrorClass;
    SessionNotFound: OIDCErrorClass;
  };

  export type Configuration = Record<string, unknown>;

  export type KoaMiddleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    /** Koa's "trust X-Forwarded-* headers" switch. */
    proxy: boolean;
    readonly Client: ClientStatic;
    readonly Grant: GrantStatic;
    readonly RefreshToken: TokenStatic;
    readonly AccessToken: TokenStatic;
    readonly ClientCredentials: TokenStatic;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    use(middleware: KoaMiddleware): this;
    on(event: string, listener: (...args: never[]) => void): this;
    urlFor(name: string, options?: Record<string, unknown>): string;
    pathFor(name: string, options?: Record<string, unknown>): string;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
  }

  export default Provider;
}
