import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Where alerts, people's e-mail and audit checkpoints go (src/monitor/outbox):
 * SMTP, a signed webhook, syslog, a checkpoint file. Environment variables
 * (or the same keys in the TESSERA_CONFIG file); TESSERA_ALERT_ROUTES, best
 * kept in the file, replaces the default routes.
 */
export const ROUTE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type RouteSeverity = (typeof ROUTE_SEVERITIES)[number];

const emailList = z
  .string()
  .refine((v) => v.split(',').every((a) => /^[^\s@<>,;"]+@[^\s@<>,;"]+$/.test(a.trim())), 'must be a comma-separated list of e-mail addresses');

const route = z.strictObject({
  channel: z.enum(['email', 'webhook', 'syslog']),
  /** Alerts at least this severe take the route. */
  minSeverity: z.enum(ROUTE_SEVERITIES).default('low'),
  /** E-mail only: the recipients; absent, TESSERA_ALERT_EMAIL's. */
  to: z.array(z.email()).min(1).optional(),
});
export type AlertRoute = { channel: 'email' | 'webhook' | 'syslog'; minSeverity: RouteSeverity; to?: string[] };

function parseJsonText(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export const deliverySchema = {
  /** smtp://[user:pass@]host[:port] (STARTTLS) or smtps://… (implicit TLS). */
  TESSERA_SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be smtp://host:port or smtps://host:port' }).optional(),
  /** A PEM file with the CA that signed the SMTP server's certificate, when it is a private one. */
  TESSERA_SMTP_CA: z.string().min(1).optional(),
  TESSERA_MAIL_FROM: z.email({ error: 'must be an e-mail address' }).optional(),
  TESSERA_ALERT_EMAIL: emailList.optional(),
  TESSERA_ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  TESSERA_ALERT_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)').max(512).optional(),
  TESSERA_SYSLOG_URL: z.url({ protocol: /^(udp|tcp)$/, error: 'must be udp://host:port or tcp://host:port' }).optional(),
  TESSERA_ALERT_ROUTES: z.preprocess(parseJsonText, z.array(route, { error: 'must be a JSON array of routes' })).optional(),
  TESSERA_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  /** Which sinks get the audit checkpoints: a comma-separated subset of file, webhook, syslog; absent: every one configured. */
  TESSERA_AUDIT_CHECKPOINT_SINKS: z
    .string()
    .refine((v) => v.split(',').every((s) => ['file', 'webhook', 'syslog'].includes(s.trim())), 'must be a comma-separated list of file, webhook, syslog')
    .optional(),
  TESSERA_AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(10).max(7 * 86400).default(3600),
};

const deliveryObject = z.object(deliverySchema);
type DeliveryRaw = z.output<typeof deliveryObject>;

export interface DeliveryConfig {
  smtp?: { url: string; from: string; ca?: string };
  /** The secret signs every request (HMAC-SHA256); it is never stored or logged. */
  webhook?: { url: string; secret: string };
  syslog?: { url: string };
  routes: AlertRoute[];
  checkpoints?: { intervalSeconds: number; file?: string; webhook: boolean; syslog: boolean };
  /** Not from the environment: tests poll faster and back off for less. */
  worker?: { pollMs?: number; backoff?: { baseMs: number; maxMs: number; maxAttempts: number } };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Plain http to a webhook would hand the signed alerts to anyone on the path: only to this machine. */
function webhookConfig(raw: DeliveryRaw, fail: (m: string) => never): DeliveryConfig['webhook'] {
  const { TESSERA_ALERT_WEBHOOK_URL: url, TESSERA_ALERT_WEBHOOK_SECRET: secret } = raw;
  if (!url) return undefined;
  if (!secret) fail('TESSERA_ALERT_WEBHOOK_SECRET: required with TESSERA_ALERT_WEBHOOK_URL (the requests are signed with it)');
  const u = new URL(url);
  if (u.protocol === 'http:' && !LOOPBACK.test(u.hostname)) fail('TESSERA_ALERT_WEBHOOK_URL: must be https:// (plain http only to this machine)');
  return { url, secret };
}

function defaultRoutes(raw: DeliveryRaw, d: Omit<DeliveryConfig, 'routes' | 'checkpoints'>): AlertRoute[] {
  const routes: AlertRoute[] = [];
  if (raw.TESSERA_ALERT_EMAIL) routes.push({ channel: 'email', minSeverity: 'high' });
  if (d.webhook) routes.push({ channel: 'webhook', minSeverity: 'low' });
  if (d.syslog) routes.push({ channel: 'syslog', minSeverity: 'low' });
  return routes;
}

function checkpointConfig(raw: DeliveryRaw, d: Omit<DeliveryConfig, 'routes' | 'checkpoints'>, dataDir: string, fail: (m: string) => never): DeliveryConfig['checkpoints'] {
  const named = raw.TESSERA_AUDIT_CHECKPOINT_SINKS?.split(',').map((s) => s.trim());
  const wants = (sink: string, configured: boolean) => (named ? named.includes(sink) : configured);
  const file = raw.TESSERA_AUDIT_CHECKPOINT_FILE ? resolve(raw.TESSERA_AUDIT_CHECKPOINT_FILE) : undefined;
  if (wants('file', !!file) && !file) fail('TESSERA_AUDIT_CHECKPOINT_SINKS: file is named but TESSERA_AUDIT_CHECKPOINT_FILE is not set');
  if (wants('webhook', !!d.webhook) && !d.webhook) fail('TESSERA_AUDIT_CHECKPOINT_SINKS: webhook is named but TESSERA_ALERT_WEBHOOK_URL is not set');
  if (wants('syslog', !!d.syslog) && !d.syslog) fail('TESSERA_AUDIT_CHECKPOINT_SINKS: syslog is named but TESSERA_SYSLOG_URL is not set');
  if (file) {
    // A checkpoint beside the database proves nothing: whoever rewrites one rewrites the other.
    const rel = relative(dataDir, file);
    if (!rel.startsWith('..') && !isAbsolute(rel)) fail('TESSERA_AUDIT_CHECKPOINT_FILE: must be outside the data directory (TESSERA_DATA_DIR)');
  }
  const sinks = { file: wants('file', !!file) ? file : undefined, webhook: wants('webhook', !!d.webhook), syslog: wants('syslog', !!d.syslog) };
  if (!sinks.file && !sinks.webhook && !sinks.syslog) return undefined;
  return { intervalSeconds: raw.TESSERA_AUDIT_CHECKPOINT_SECONDS, ...sinks };
}

export function deliveryConfig(raw: DeliveryRaw, dataDir: string, fail: (message: string) => never): DeliveryConfig {
  const smtpUrl = raw.TESSERA_SMTP_URL;
  if (smtpUrl && !raw.TESSERA_MAIL_FROM) fail('TESSERA_MAIL_FROM: required with TESSERA_SMTP_URL');
  if (raw.TESSERA_ALERT_EMAIL && !smtpUrl) fail('TESSERA_SMTP_URL: required with TESSERA_ALERT_EMAIL');
  const base = {
    smtp: smtpUrl ? { url: smtpUrl, from: raw.TESSERA_MAIL_FROM!, ca: raw.TESSERA_SMTP_CA } : undefined,
    webhook: webhookConfig(raw, fail),
    syslog: raw.TESSERA_SYSLOG_URL ? { url: raw.TESSERA_SYSLOG_URL } : undefined,
  };
  const routes: AlertRoute[] = raw.TESSERA_ALERT_ROUTES ?? defaultRoutes(raw, base);
  for (const r of routes) {
    if (r.channel === 'email' && !base.smtp) fail('TESSERA_ALERT_ROUTES: an email route needs TESSERA_SMTP_URL');
    if (r.channel === 'email' && !r.to && !raw.TESSERA_ALERT_EMAIL) fail('TESSERA_ALERT_ROUTES: an email route needs "to" or TESSERA_ALERT_EMAIL');
    if (r.channel === 'webhook' && !base.webhook) fail('TESSERA_ALERT_ROUTES: a webhook route needs TESSERA_ALERT_WEBHOOK_URL');
    if (r.channel === 'syslog' && !base.syslog) fail('TESSERA_ALERT_ROUTES: a syslog route needs TESSERA_SYSLOG_URL');
  }
  const alertEmail = raw.TESSERA_ALERT_EMAIL?.split(',').map((a) => a.trim());
  const filled = routes.map((r) => (r.channel === 'email' ? { ...r, to: r.to ?? alertEmail } : r));
  return { ...base, routes: filled, checkpoints: checkpointConfig(raw, base, dataDir, fail) };
}
