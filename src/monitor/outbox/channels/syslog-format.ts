import { hostname } from 'node:os';

/**
 * One RFC 5424 message:
 *   <PRI>1 TIMESTAMP HOSTNAME tessera PROCID MSGID [tessera@32473 k="v" …] MSG
 * Facility authpriv (10): security messages. Severity from the alert's
 * (critical → crit, high → err, medium → warning, low → notice; a checkpoint
 * is info). The SD-ID uses the documentation enterprise number of RFC 5612.
 */
export type SyslogLevel = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface SyslogMessage {
  level: SyslogLevel;
  /** Up to 32 printable characters, e.g. the alert kind. */
  msgid: string;
  params: Record<string, string>;
  text: string;
}

const FACILITY_AUTHPRIV = 10;
const SEVERITY: Record<SyslogLevel, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };
export const SD_ID = 'tessera@32473';

/** PRINTUSASCII without space, at most `max` long; '-' (the nil value) when nothing is left. */
function header(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean || '-';
}

/** Inside a PARAM-VALUE, '"', '\' and ']' are escaped with a backslash (RFC 5424 §6.3.3). */
function paramValue(value: string): string {
  return value.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

function paramName(name: string): string {
  return header(name.replace(/[= \]"]/g, ''), 32);
}

export function formatSyslog(message: SyslogMessage, at = new Date(), host = hostname()): string {
  const pri = FACILITY_AUTHPRIV * 8 + SEVERITY[message.level];
  const params = Object.entries(message.params).map(([k, v]) => ` ${paramName(k)}="${paramValue(v)}"`).join('');
  const sd = `[${SD_ID}${params}]`;
  // The BOM marks MSG as UTF-8 (RFC 5424 §6.4).
  return `<${pri}>1 ${at.toISOString()} ${header(host, 255)} tessera ${process.pid} ${header(message.msgid, 32)} ${sd} \uFEFF${message.text}`;
}

/** RFC 6587 octet counting: the length in bytes, a space, the message. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}
