import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { onCI } from '../support/engines.ts';

/**
 * radclient from FreeRADIUS (Debian freeradius-utils): a RADIUS client nobody
 * here wrote. Without it the RADIUS tests skip on a laptop and fail on CI.
 */
export const RADCLIENT = '/usr/bin/radclient';

export function radclientSkip(): { skip?: string } {
  if (existsSync(RADCLIENT) || onCI) return {};
  return { skip: `RADIUS tests need radclient: apt-get install -y freeradius-utils` };
}

export interface RadiusAnswer {
  /** Access-Accept, Access-Reject, Access-Challenge, or 'none' when nothing came back. */
  code: string;
  attributes: Record<string, string>;
}

/** Sends one request with radclient and reads its answer. Attribute values are radclient's syntax ("text" or 0xhex). */
export function radius(port: number, secret: string, attributes: Record<string, string>, options: { code?: 'auth' | 'status'; timeoutS?: number; messageAuthenticator?: boolean } = {}): Promise<RadiusAnswer> {
  const lines = Object.entries(attributes).map(([k, v]) => `${k} = ${v}`);
  if (options.messageAuthenticator !== false) lines.push('Message-Authenticator = 0x00');
  return new Promise((resolve) => {
    const child = execFile(RADCLIENT, ['-x', '-t', String(options.timeoutS ?? 3), '-r', '1', `127.0.0.1:${port}`, options.code ?? 'auth', secret], { timeout: 30_000 }, (_err, stdout) => {
      const received = /Received (Access-[A-Za-z]+) Id/.exec(stdout);
      const attrs: Record<string, string> = {};
      if (received) {
        const after = stdout.slice(stdout.indexOf(received[0]));
        for (const m of after.matchAll(/^\s+([A-Za-z-]+) = (.*)$/gm)) attrs[m[1]!] = (attrs[m[1]!] ? `${attrs[m[1]!]} ` : '') + m[2]!.replace(/^"|"$/g, '');
      }
      resolve({ code: received?.[1] ?? 'none', attributes: attrs });
    });
    child.stdin!.end(lines.join('\n') + '\n');
  });
}

export const quoted = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
