import type { DetectionSettings } from './settings.ts';
import { ms, MINUTE, type Finding, type LogFact } from './model.ts';

/**
 * An app whose sign-ins mostly fail: a broken integration, a policy that
 * shuts people out, or an attack aimed at one app. Looked at once per app and
 * batch, over the window that ends at the app's newest row. It is about an
 * app, not a person, so it adds no one's risk.
 */
export function detectAppFailures(window: readonly LogFact[], fresh: readonly LogFact[], s: DetectionSettings): Finding[] {
  const { minAttempts, rate, windowMinutes } = s.appFailureRate;
  const newest = new Map<string, LogFact>();
  for (const r of fresh) if (r.clientId) newest.set(r.clientId, r);
  const out: Finding[] = [];
  for (const [clientId, last] of newest) {
    const from = new Date(ms(last.at) - windowMinutes * MINUTE).toISOString();
    const rows = window.filter((r) => r.clientId === clientId && r.at > from && r.at <= last.at && r.result !== 'interrupted');
    const failed = rows.filter((r) => r.result === 'failure' || r.result === 'locked').length;
    if (rows.length < minAttempts || failed / rows.length < rate) continue;
    const reasons = new Map<string, number>();
    for (const r of rows) if (r.result !== 'success') reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    out.push({
      kind: 'app.failure_rate', severity: 'medium', subject: `client:${clientId}`, userId: null, username: null, at: last.at,
      evidence: {
        clientId, attempts: rows.length, failures: failed, rate: Math.round((failed / rows.length) * 100) / 100, windowMinutes,
        topReasons: [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([reason, n]) => ({ reason, count: n })),
      },
      risk: null,
    });
  }
  return out;
}
