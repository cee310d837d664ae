import pino, { type Logger } from 'pino';

/**
 * Secrets never reach a log line: these paths are censored wherever they
 * appear, and request logging records the path without the query string
 * (set-up links and OIDC callbacks carry tokens there).
 */
export const REDACT_PATHS = [
  'password', '*.password', 'secret', '*.secret', 'token', '*.token', 'code', '*.code',
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
  '*.client_secret', '*.refresh_token', '*.access_token', '*.id_token', '*.totp', '*.otp',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'tessera' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
