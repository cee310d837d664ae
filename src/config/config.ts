import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { deliveryConfig, deliverySchema, type DeliveryConfig } from './delivery.ts';
import { brandingConfig, brandingSchema, type BrandingConfig } from './branding.ts';
import { webPushConfig, webPushSchema, type WebPushConfig } from './web-push.ts';

/**
 * One typed configuration object, read from the environment and, when
 * TESSERA_CONFIG names one, a JSON file (the environment wins). Every later
 * capability reads its settings from here instead of process.env.
 */
const port = z.coerce.number().int().min(0).max(65535);
const duration = z.coerce.number().int().positive();

const schema = z.object({
  TESSERA_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://')
    .optional(),
  TESSERA_ISSUER: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://id.example.com' })
    .optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  TESSERA_METRICS_PORT: port.optional(),
  /** Server processes sharing the port (tessera serve --workers wins); unset: one per core. */
  TESSERA_WORKERS: z.coerce.number().int().min(1).max(999).optional(),
  /** RADIUS over UDP (src/protocols/radius); 0 turns it off. */
  TESSERA_RADIUS_PORT: port.default(1812),
  TESSERA_RADIUS_HOST: z.string().min(1).optional(),
  /** RadSec (RADIUS over TLS): on when a certificate and key are given. */
  TESSERA_RADSEC_PORT: port.default(2083),
  TESSERA_RADSEC_CERT: z.string().min(1).optional(),
  TESSERA_RADSEC_KEY: z.string().min(1).optional(),
  TESSERA_RADSEC_CA: z.string().min(1).optional(),
  TESSERA_MASTER_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/_-]{43}=?$/, 'must be 32 random bytes in base64 (openssl rand -base64 32)')
    .optional(),
  TESSERA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TESSERA_SESSION_IDLE_SECONDS: duration.default(3600),
  TESSERA_SESSION_ABSOLUTE_SECONDS: duration.default(12 * 3600),
  TESSERA_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  TESSERA_SIGNIN_LOG_RETENTION_DAYS: z.coerce.number().int().min(30).max(3650).default(400),
  TESSERA_WEBAUTHN_RP_ID: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'must be a domain name such as example.com')
    .optional(),
  TESSERA_WEBAUTHN_ORIGINS: z
    .string()
    .refine((v) => v.split(',').every((o) => /^https?:\/\/[^/?#\s]+$/.test(o.trim())), 'must be a comma-separated list of origins such as https://id.example.com')
    .optional(),
  /** SMS / voice code delivery (src/methods/phone/senders.ts): outbox (a file in the data dir), webhook or twilio. */
  TESSERA_PHONE_SENDER: z.enum(['outbox', 'webhook', 'twilio']).default('outbox'),
  TESSERA_PHONE_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  TESSERA_TWILIO_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.twilio.com'),
  TESSERA_TWILIO_ACCOUNT_SID: z.string().regex(/^[A-Za-z0-9]{1,64}$/).optional(),
  TESSERA_TWILIO_AUTH_TOKEN: z.string().min(1).max(256).optional(),
  TESSERA_TWILIO_FROM: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +15551234567').optional(),
  /** Alert delivery, mail and audit checkpoints (src/config/delivery.ts). */
  ...deliverySchema,
  /** The organisation's name and logo on the pages (src/config/branding.ts). */
  ...brandingSchema,
  /** Web Push to the installable authenticator (src/config/web-push.ts). */
  ...webPushSchema,
});

export type RawConfig = z.infer<typeof schema>;

export interface Config {
  dataDir: string;
  database: { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };
  issuer: string;
  host: string;
  port: number;
  /** A listener of its own for /metrics (on `host`), without a token; unset: /metrics needs an admin API token. */
  metricsPort?: number;
  /** `tessera serve` processes; undefined: one per core. */
  workers?: number;
  /** Set when given by the operator; otherwise loaded from the data dir (see master-key.ts). */
  masterKey?: string;
  logLevel: RawConfig['TESSERA_LOG_LEVEL'];
  session: { idleSeconds: number; absoluteSeconds: number };
  trustProxy: boolean;
  /** Sign-in log rows older than this many days are pruned (the audit log is never pruned). Absent: 400. */
  signinLogRetentionDays?: number;
  /** WebAuthn relying party; absent parts default from the issuer (src/methods/webauthn/relying-party.ts). */
  webauthn?: { rpId?: string; origins?: string[] };
  /** How SMS and voice codes are sent; absent: the dev outbox under the data dir. */
  phone?: PhoneSenderConfig;
  /** RADIUS for VPN and network gear; absent: off. */
  radius?: RadiusConfig;
  /** Where alerts, e-mail and audit checkpoints are delivered; absent: nowhere (they wait in the outbox). */
  delivery?: DeliveryConfig;
  /** The organisation's name and logo; absent: "Tessera" and no logo. */
  branding?: BrandingConfig;
  /** Web Push to the installable authenticator; absent: the issuer as contact, public https push services only. */
  webPush?: WebPushConfig;
}

export interface RadiusConfig {
  host: string;
  port: number;
  /** PEM file paths; the CA verifies the clients' certificates (mutual TLS, RFC 6614). */
  radsec?: { port: number; cert: string; key: string; ca?: string };
  flow?: { pushWaitMs?: number };
}

function radiusConfig(raw: RawConfig): RadiusConfig | undefined {
  if (raw.TESSERA_RADIUS_PORT === 0) return undefined;
  const { TESSERA_RADSEC_CERT: cert, TESSERA_RADSEC_KEY: key } = raw;
  if (!!cert !== !!key) throw new ConfigError('TESSERA_RADSEC_CERT and TESSERA_RADSEC_KEY: give both, or neither');
  return {
    host: raw.TESSERA_RADIUS_HOST ?? raw.HOST,
    port: raw.TESSERA_RADIUS_PORT,
    radsec: cert && key ? { port: raw.TESSERA_RADSEC_PORT, cert, key, ca: raw.TESSERA_RADSEC_CA } : undefined,
  };
}

export type PhoneSenderConfig =
  | { kind: 'outbox' }
  | { kind: 'webhook'; url: string }
  | { kind: 'twilio'; baseUrl: string; accountSid: string; authToken: string; from: string };

function phoneSender(raw: RawConfig): PhoneSenderConfig {
  if (raw.TESSERA_PHONE_SENDER === 'webhook') {
    if (!raw.TESSERA_PHONE_WEBHOOK_URL) throw new ConfigError('TESSERA_PHONE_WEBHOOK_URL: required when TESSERA_PHONE_SENDER is webhook');
    return { kind: 'webhook', url: raw.TESSERA_PHONE_WEBHOOK_URL };
  }
  if (raw.TESSERA_PHONE_SENDER === 'twilio') {
    const { TESSERA_TWILIO_ACCOUNT_SID: accountSid, TESSERA_TWILIO_AUTH_TOKEN: authToken, TESSERA_TWILIO_FROM: from } = raw;
    if (!accountSid || !authToken || !from) throw new ConfigError('TESSERA_TWILIO_ACCOUNT_SID, TESSERA_TWILIO_AUTH_TOKEN and TESSERA_TWILIO_FROM: required when TESSERA_PHONE_SENDER is twilio');
    return { kind: 'twilio', baseUrl: raw.TESSERA_TWILIO_BASE_URL.replace(/\/+$/, ''), accountSid, authToken, from };
  }
  return { kind: 'outbox' };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readConfigFile(path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(`TESSERA_CONFIG: ${path} must hold a JSON object`);
    }
    return parsed as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`TESSERA_CONFIG: cannot read ${path}: ${(err as Error).message}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile = env.TESSERA_CONFIG ? readConfigFile(env.TESSERA_CONFIG) : {};
  const merged: Record<string, unknown> = { ...fromFile };
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = issue.path.join('.') || 'configuration';
    throw new ConfigError(`${name}: ${issue.message}`);
  }
  const raw = result.data;
  if (raw.TESSERA_SESSION_ABSOLUTE_SECONDS < raw.TESSERA_SESSION_IDLE_SECONDS) {
    throw new ConfigError('TESSERA_SESSION_ABSOLUTE_SECONDS: must not be shorter than TESSERA_SESSION_IDLE_SECONDS');
  }
  if (raw.TESSERA_METRICS_PORT !== undefined && raw.TESSERA_METRICS_PORT !== 0 && raw.TESSERA_METRICS_PORT === raw.PORT) {
    throw new ConfigError('TESSERA_METRICS_PORT: must differ from PORT (metrics get a listener of their own)');
  }
  const dataDir = resolve(raw.TESSERA_DATA_DIR);
  return {
    dataDir,
    database: raw.DATABASE_URL
      ? { engine: 'postgres', url: raw.DATABASE_URL }
      : { engine: 'sqlite', file: resolve(dataDir, 'tessera.sqlite') },
    // Unset: this machine on the port it listens on, so the printed links work as they are.
    issuer: (raw.TESSERA_ISSUER ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, ''),
    host: raw.HOST,
    port: raw.PORT,
    metricsPort: raw.TESSERA_METRICS_PORT,
    workers: raw.TESSERA_WORKERS,
    masterKey: raw.TESSERA_MASTER_KEY,
    logLevel: raw.TESSERA_LOG_LEVEL,
    session: {
      idleSeconds: raw.TESSERA_SESSION_IDLE_SECONDS,
      absoluteSeconds: raw.TESSERA_SESSION_ABSOLUTE_SECONDS,
    },
    trustProxy: raw.TESSERA_TRUST_PROXY === 'true',
    signinLogRetentionDays: raw.TESSERA_SIGNIN_LOG_RETENTION_DAYS,
    webauthn: {
      rpId: raw.TESSERA_WEBAUTHN_RP_ID?.toLowerCase(),
      origins: raw.TESSERA_WEBAUTHN_ORIGINS?.split(',').map((o) => o.trim().replace(/\/+$/, '')),
    },
    phone: phoneSender(raw),
    radius: radiusConfig(raw),
    delivery: deliveryConfig(raw, dataDir, (message) => {
      throw new ConfigError(message);
    }),
    branding: brandingConfig(raw, (message) => {
      throw new ConfigError(message);
    }),
    webPush: webPushConfig(raw),
  };
}
