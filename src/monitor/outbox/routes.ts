import type { AlertRoute } from '../../config/delivery.ts';
import type { Tx } from '../../store/store.ts';
import { ALERT_SEVERITIES, getAlert, type Alert, type AlertSeverity } from '../alerts.ts';
import { NotFoundError } from '../../directory/errors.ts';
import { enqueue } from './enqueue.ts';
import { alertDocument, alertMailSubject, alertMailText } from './texts.ts';

const rank = (s: AlertSeverity) => ALERT_SEVERITIES.indexOf(s);

/** The routes an alert of this severity takes: each route's minimum or worse. */
export function routesFor(routes: readonly AlertRoute[], severity: AlertSeverity): AlertRoute[] {
  return routes.filter((r) => rank(severity) >= rank(r.minSeverity));
}

function enqueueRoute(trx: Tx, alert: Alert, route: AlertRoute, key: string, issuer: string): Promise<boolean> {
  const document = alertDocument(alert);
  switch (route.channel) {
    case 'email':
      return enqueue(trx, 'mail', { to: route.to ?? [], subject: alertMailSubject(alert), text: alertMailText(alert, issuer) }, { key });
    case 'webhook':
      return enqueue(trx, 'webhook', { document }, { key });
    case 'syslog': {
      const params = { id: alert.id, severity: alert.severity, kind: alert.kind, user: alert.username ?? '' };
      return enqueue(trx, 'syslog', { level: alert.severity, msgid: alert.kind, params, text: JSON.stringify(document) }, { key });
    }
  }
}

/**
 * Turns an alert's fan-out row into one delivery per route, in the worker's
 * transaction. Keys make a second fan-out of the same alert (a lease that
 * expired mid-way) add nothing. Returns how many deliveries were queued.
 */
export async function fanOutAlert(trx: Tx, routes: readonly AlertRoute[], alertId: string, issuer: string): Promise<number> {
  let alert: Alert;
  try {
    alert = await getAlert(trx, alertId);
  } catch (err) {
    if (err instanceof NotFoundError) return 0;
    throw err;
  }
  let queued = 0;
  for (const [i, route] of routes.entries()) {
    if (!routesFor([route], alert.severity).length) continue;
    if (await enqueueRoute(trx, alert, route, `alert:${alert.id}:${i}:${route.channel}`, issuer)) queued += 1;
  }
  return queued;
}
