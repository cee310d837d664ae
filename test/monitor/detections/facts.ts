import type { LogFact } from '../../../src/monitor/detections/model.ts';
import { detectionSettingsSchema, type DetectionSettings } from '../../../src/monitor/detections/settings.ts';

/** Scripted sign-in log facts for the detections' unit tests: minute offsets from a fixed start. */
const START = Date.parse('2026-03-02T09:00:00.000Z');
let seq = 0;

export const at = (minutes: number): string => new Date(START + minutes * 60_000).toISOString();

export function fact(minutes: number, over: Partial<LogFact> & Pick<LogFact, 'result' | 'reason'>): LogFact {
  seq++;
  const userId = over.userId ?? null;
  return {
    id: `row-${String(seq).padStart(6, '0')}`, at: at(minutes), userId,
    account: over.account ?? (userId ? `user:${userId}` : over.username ? `name:${over.username.toLowerCase()}` : null),
    username: null, ip: null, clientId: null, userAgent: null, ...over,
  };
}

export const defaults = (over: Partial<DetectionSettings> = {}): DetectionSettings => ({ ...detectionSettingsSchema.parse({}), ...over });
