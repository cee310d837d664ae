/**
 * The outbox: every message Tessera sends out of the process (alert e-mail,
 * the signed webhook, syslog, people's notifications, audit checkpoints) is a
 * row here first, written in the same transaction as whatever caused it, so a
 * crash between "decided to tell someone" and "told them" loses nothing.
 * Every node's worker claims due rows with a lease (worker.ts); one node sends each.
 */
export const OUTBOX_CHANNELS = ['mail', 'webhook', 'syslog', 'file', 'alert'] as const;
/** 'file' appends a line to the audit checkpoint file. 'alert' is a fan-out row: the worker turns it into one row per route configured for the alert's severity. */
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export interface OutboxTable {
  id: string;
  channel: OutboxChannel;
  /** A second enqueue with the same key is a no-op (unique; null: no de-duplication). */
  dedupe_key: string | null;
  /** JSON: what the channel sends (never a secret; the webhook secret is read from the environment at send time). */
  payload: string;
  status: OutboxStatus;
  created_at: string;
  /** Not tried before this time (backoff). */
  due_at: string;
  attempts: number;
  /** The node holding the row while it sends, and until when; an expired lease may be taken over. */
  lease_holder: string | null;
  lease_expires_at: string | null;
  /** The last attempt's failure, in plain words. */
  last_error: string | null;
  finished_at: string | null;
}

export interface OutboxTables {
  outbox: OutboxTable;
}
