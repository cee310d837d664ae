import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { DeliveryConfig } from '../../../config/delivery.ts';
import type { OutboundMail } from '../enqueue.ts';
import { DeliveryError } from './errors.ts';
import { lazyModule } from '../../../app/lazy.ts';

/** nodemailer is some 5 MB in memory: loaded with the first mail, not by a server that sends none. */
const nodemailer = lazyModule(async () => (await import('nodemailer')).default);

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/i;

/**
 * nodemailer's options for TESSERA_SMTP_URL. smtps:// is TLS from the first
 * byte (port 465 by default). smtp:// upgrades with STARTTLS (port 587 by
 * default), and the upgrade is required: a server that does not offer it is
 * refused rather than sent alerts and passwords in the clear; only a relay on
 * this machine (loopback) may go without it. Certificates are always verified,
 * against TESSERA_SMTP_CA when given.
 */
export function smtpOptions(config: NonNullable<DeliveryConfig['smtp']>): SMTPTransport.Options {
  const url = new URL(config.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const implicit = url.protocol === 'smtps:';
  const auth = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  return {
    host,
    port: url.port ? Number(url.port) : implicit ? 465 : 587,
    secure: implicit,
    requireTLS: !implicit && !LOOPBACK.test(host),
    auth,
    tls: { ca: config.ca ? readFileSync(config.ca, 'utf8') : undefined, minVersion: 'TLSv1.2', servername: host, rejectUnauthorized: true },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
    logger: false,
  };
}

export interface MailSender {
  send(mail: OutboundMail): Promise<void>;
  close(): void;
}

export function mailSender(config: DeliveryConfig['smtp']): MailSender {
  let transport: Transporter<SMTPTransport.SentMessageInfo> | undefined;
  return {
    async send(mail) {
      if (!config) throw new DeliveryError('no SMTP server is configured (TESSERA_SMTP_URL)');
      if (!transport) {
        const mailer = await nodemailer();
        // Another send may have made the transport while this one waited for the library.
        transport ??= mailer.createTransport(smtpOptions(config));
      }
      try {
        await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      } catch (err) {
        const e = err as { code?: string; responseCode?: number; response?: string; message: string };
        const said = e.response ? `: ${e.response}` : e.code ? ` (${e.code})` : `: ${e.message}`;
        // 5xx is the server's final word about this message (e.g. no such mailbox).
        throw new DeliveryError(`the mail server did not take the message${said}`, { retry: !(e.responseCode && e.responseCode >= 500) });
      }
    },
    close() {
      transport?.close();
      transport = undefined;
    },
  };
}
