import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../../store/store.ts';
import { InvalidInputError } from '../../directory/errors.ts';
import type { OutboxChannel, OutboxTable } from './tables.ts';

export interface OutboundMail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

export interface EnqueueOptions {
  /** Makes a second enqueue with the same key a no-op, on any node. */
  key?: string;
  /** Not sent before this time. */
  notBefore?: Date;
}

const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;

/** Queues one row in the caller's transaction; returns whether a row was added (false: the key was already queued). */
export async function enqueue(db: Db | Tx, channel: OutboxChannel, payload: unknown, options: EnqueueOptions = {}): Promise<boolean> {
  const now = new Date().toISOString();
  const row: OutboxTable = {
    id: randomUUID(),
    channel,
    dedupe_key: options.key ?? null,
    payload: JSON.stringify(payload),
    status: 'pending',
    created_at: now,
    due_at: (options.notBefore ?? new Date()).toISOString(),
    attempts: 0,
    lease_holder: null,
    lease_expires_at: null,
    last_error: null,
    finished_at: null,
  };
  const result = await db
    .insertInto('outbox')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/**
 * Queues one e-mail in the caller's transaction; `key`, when given, makes a
 * second enqueue with the same key a no-op (once across nodes). A bad
 * recipient is refused here, where the caller can still say so, not at send time.
 */
export async function enqueueMail(db: Db | Tx, mail: OutboundMail, options: { key?: string } = {}): Promise<void> {
  const to = [...new Set(mail.to.map((a) => a.trim()).filter(Boolean))];
  if (to.length === 0) throw new InvalidInputError('an e-mail needs at least one recipient');
  const bad = to.find((a) => !ADDRESS.test(a) || a.length > 254);
  if (bad) throw new InvalidInputError(`not an e-mail address: ${JSON.stringify(bad.slice(0, 80))}`);
  if (/[\r\n]/.test(mail.subject)) throw new InvalidInputError('an e-mail subject is one line');
  const clean: OutboundMail = { to, subject: mail.subject.slice(0, 250), text: mail.text };
  if (mail.html !== undefined) clean.html = mail.html;
  await enqueue(db, 'mail', clean, options);
}
