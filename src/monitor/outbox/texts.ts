import type { Alert } from '../alerts.ts';

/** Every text an alert delivery carries, in one place. */
export function alertMailSubject(alert: Alert): string {
  const who = alert.username ? ` (${alert.username})` : '';
  return `[Tessera] ${alert.severity} alert: ${alert.kind}${who}`;
}

export function alertMailText(alert: Alert, issuer: string): string {
  const details = Object.entries(alert.details).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [
    `Tessera raised a ${alert.severity} alert.`,
    '',
    `What:  ${alert.kind}`,
    `When:  ${alert.createdAt}`,
    `Who:   ${alert.username ?? 'no account'}`,
    ...(details.length ? ['Details:', ...details] : []),
    '',
    `Alert id: ${alert.id}`,
    `Look at it and acknowledge it with: tessera alerts ack ${alert.id}`,
    `(or the admin API at ${issuer}/api/admin/alerts).`,
  ].join('\n');
}

/** The syslog MSG and the webhook document of an alert: the alert as the admin API shows it. */
export function alertDocument(alert: Alert): Record<string, unknown> {
  return { type: 'alert', alert: { id: alert.id, createdAt: alert.createdAt, severity: alert.severity, kind: alert.kind, userId: alert.userId, username: alert.username, details: alert.details } };
}
