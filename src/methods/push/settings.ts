import { z } from 'zod';
import type { Db, Tx } from '../../store/store.ts';
import { readMethodSettings } from '../settings.ts';

/** Push limits an administrator may tune (stored in method_settings under 'push'). */
export const pushSettingsSchema = z.object({
  /** At most this many push requests per user in `windowMinutes` (push bombing defence). */
  requestsPerWindow: z.number().int().min(1).max(20).default(3),
  windowMinutes: z.number().int().min(1).max(60).default(5),
  /** Denials or unanswered requests in `failureWindowMinutes` that suspend push for the user. */
  failuresBeforeSuspend: z.number().int().min(1).max(20).default(3),
  failureWindowMinutes: z.number().int().min(1).max(240).default(15),
  suspendMinutes: z.number().int().min(1).max(1440).default(30),
  /** How long a request can be answered. */
  requestTtlSeconds: z.number().int().min(15).max(300).default(60),
  /** How long an enrolment link (QR code) works. */
  enrolmentTtlMinutes: z.number().int().min(1).max(60).default(10),
});
export type PushSettings = z.output<typeof pushSettingsSchema>;

export async function getPushSettings(db: Db | Tx): Promise<PushSettings> {
  return (await readMethodSettings(db, 'push', pushSettingsSchema)).settings;
}
