import { z } from 'zod';
import type { Db, Tx } from '../../store/store.ts';
import { readMethodSettings } from '../settings.ts';

/** SMS/voice limits (method_settings under 'phone'). */
export const phoneSettingsSchema = z.object({
  codeTtlMinutes: z.number().int().min(1).max(30).default(10),
  /** Sends (SMS or calls) per user per hour, and per number per hour. */
  sendsPerUserPerHour: z.number().int().min(1).max(50).default(5),
  sendsPerNumberPerHour: z.number().int().min(1).max(50).default(5),
  /** Wrong tries before a code stops working. */
  maxAttempts: z.number().int().min(1).max(10).default(5),
});
export type PhoneSettings = z.output<typeof phoneSettingsSchema>;

export async function getPhoneSettings(db: Db | Tx): Promise<PhoneSettings> {
  return (await readMethodSettings(db, 'phone', phoneSettingsSchema)).settings;
}
