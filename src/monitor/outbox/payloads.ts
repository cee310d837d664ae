import { z } from 'zod';

/** What each channel's outbox row holds, checked again when it is sent (a malformed row fails at once, not ten times). */
export const mailPayload = z.object({
  to: z.array(z.string()).min(1),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
});

export const webhookPayload = z.object({ document: z.record(z.string(), z.unknown()) });

export const syslogPayload = z.object({
  level: z.enum(['critical', 'high', 'medium', 'low', 'info']),
  msgid: z.string(),
  params: z.record(z.string(), z.string()),
  text: z.string(),
});

export const filePayload = z.object({ line: z.string() });

export const alertPayload = z.object({ alertId: z.string() });

export type WebhookPayload = z.infer<typeof webhookPayload>;
export type SyslogPayload = z.infer<typeof syslogPayload>;
