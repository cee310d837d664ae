import type { AuditFact, LogFact } from '../detections/model.ts';
import type { Locate } from '../detections/travel.ts';

/**
 * What people are told about their own account: a method added or removed, a
 * Temporary Access Pass issued for them, their password changed (from the
 * audit log), and a sign-in from a device or country new to them (from the
 * sign-in log). Pure: the scanner gathers the facts and sends the e-mails.
 * A notice never holds a code, a pass or a secret, only what happened.
 */
export type Notice =
  | { kind: 'method_added' | 'method_removed'; key: string; userId: string; at: string; method: string }
  | { kind: 'tap_issued'; key: string; userId: string; at: string; validUntil: string | null }
  | { kind: 'password_changed'; key: string; userId: string; at: string }
  /** device: in words from a fixed list (deviceWords), never the user agent as sent. */
  | { kind: 'new_signin'; key: string; userId: string; at: string; country: string | null; device: string | null; address: string | null };

export type NoticeKind = Notice['kind'];

const METHOD_CHANGE = /^method\.(totp|webauthn|push|sms|voice|backup_codes)\.(add|remove|generate|revoke)$/;

export function noticeFromAudit(e: AuditFact): Notice | null {
  if (!e.userId) return null;
  const base = { key: `audit:${e.seq}`, userId: e.userId, at: e.at };
  const m = METHOD_CHANGE.exec(e.action);
  if (m) return { ...base, kind: m[2] === 'add' || m[2] === 'generate' ? 'method_added' : 'method_removed', method: m[1]! };
  if (e.action === 'tap.create') return { ...base, kind: 'tap_issued', validUntil: typeof e.after?.expiresAt === 'string' ? e.after.expiresAt : null };
  // The first password of a new account is not news to anyone; a replaced one is.
  if (e.action === 'method.password.changed' || (e.action === 'method.password.set' && e.after?.replaced === true)) {
    return { ...base, kind: 'password_changed' };
  }
  return null;
}

/**
 * A browser's family and system without version numbers, so an update is not
 * a "new device": "Mozilla/5.0 (X11; Linux x86_64) … Firefox/128.0" becomes
 * "Mozilla (X11; Linux x86_64) … Firefox".
 */
export function deviceSignature(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const s = userAgent
    .replace(/\/[\w.+-]*\d[\w.+-]*/g, '') // Firefox/128.0, Gecko/20100101
    .replace(/:\d[\d.]*/g, '') // rv:128.0
    .replace(/\s\d[\d._]*/g, '') // Mac OS X 10_15_7, Windows NT 10.0
    .replace(/\s+/g, ' ').trim();
  return s ? s.slice(0, 200) : null;
}

const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, 'Edge'], [/OPR\/|Opera/, 'Opera'], [/Firefox\/|FxiOS/, 'Firefox'], [/Chrome\/|CriOS/, 'Chrome'], [/Safari\//, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, 'iOS'], [/Android/, 'Android'], [/CrOS/, 'ChromeOS'], [/Windows/, 'Windows'], [/Mac OS X|Macintosh/, 'macOS'], [/Linux/, 'Linux'],
];

/**
 * The device in words for the e-mail, from a fixed list only: the user agent
 * is whatever the signing-in party sent, and an attacker's text (a link, a
 * "call this number") must never reach the person's inbox in our name.
 */
export function deviceWords(userAgent: string | null): string {
  if (!userAgent) return 'an unrecognised app or device';
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? (system ? `a browser or app on ${system}` : 'an unrecognised app or device');
}

/** An address as the mail may show it: an IP address, nothing else. */
const shownAddress = (ip: string | null) => (ip && /^[0-9A-Fa-f:.]{2,45}$/.test(ip) ? ip : null);

/** A fresh sign-in (not a session reused by an app) from a country or a device this person has not used in their history. */
export function noticeFromSignin(row: LogFact, history: readonly LogFact[], locate: Locate): Notice | null {
  if (row.result !== 'success' || row.reason !== 'ok' || !row.userId) return null;
  const fresh = history.filter((h) => h.reason === 'ok');
  // Someone's first sign-in is the start of their history, not news.
  if (fresh.length === 0) return null;
  const country = locate(row.ip)?.country ?? null;
  const knownCountries = new Set(fresh.map((h) => locate(h.ip)?.country).filter(Boolean));
  const newCountry = country !== null && knownCountries.size > 0 && !knownCountries.has(country) ? country : null;
  const device = deviceSignature(row.userAgent);
  const knownDevices = new Set(fresh.map((h) => deviceSignature(h.userAgent)).filter(Boolean));
  const newDevice = device !== null && !knownDevices.has(device) ? device : null;
  if (!newCountry && !newDevice) return null;
  return { kind: 'new_signin', key: `signin:${row.id}`, userId: row.userId, at: row.at, country: newCountry, device: newDevice ? deviceWords(row.userAgent) : null, address: shownAddress(row.ip) };
}
