import { z } from 'zod';

/**
 * Web Push for the installable authenticator (src/methods/push/webpush/).
 * TESSERA_WEBPUSH_CONTACT is the VAPID subject push services may write to
 * (a mailto: or https: URL); absent, the issuer is used when it is https.
 * TESSERA_WEBPUSH_ALLOW_PRIVATE_ORIGINS names push service origins that may be
 * on this machine or a private network, and over plain http: for tests and
 * labs only. Every other push service must be public and https.
 */
const origin = /^https?:\/\/[^/?#\s@]+$/;

export const webPushSchema = {
  TESSERA_WEBPUSH_CONTACT: z
    .string()
    .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, 'must be a mailto: address or an https: URL')
    .optional(),
  TESSERA_WEBPUSH_ALLOW_PRIVATE_ORIGINS: z
    .string()
    .refine((v) => v.split(',').every((o) => origin.test(o.trim())), 'must be a comma-separated list of origins such as http://127.0.0.1:8090')
    .optional(),
};

export interface WebPushConfig {
  contact?: string;
  /** Exact origins (scheme, host, port) allowed although they are loopback or private. */
  allowPrivateOrigins: string[];
}

const webPushObject = z.object(webPushSchema);

export function webPushConfig(raw: z.output<typeof webPushObject>): WebPushConfig {
  return {
    contact: raw.TESSERA_WEBPUSH_CONTACT,
    allowPrivateOrigins: (raw.TESSERA_WEBPUSH_ALLOW_PRIVATE_ORIGINS?.split(',') ?? []).map((o) => new URL(o.trim()).origin),
  };
}
