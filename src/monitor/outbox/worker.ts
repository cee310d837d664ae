import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../app/context.ts';
import type { DeliveryConfig } from '../../config/delivery.ts';
import type { OutboxChannel, OutboxTable } from './tables.ts';
import { claimDue, DEFAULT_BACKOFF, markAttemptFailed, markSent, pruneFinished, type Backoff } from './claim.ts';
import { alertPayload, filePayload, mailPayload, syslogPayload, webhookPayload } from './payloads.ts';
import { fanOutAlert } from './routes.ts';
import { DeliveryError, reasonOf } from './channels/errors.ts';
import { mailSender } from './channels/smtp.ts';
import { sendWebhook } from './channels/webhook.ts';
import { sendSyslog } from './channels/syslog.ts';
import { appendLine } from './channels/file.ts';

const PRUNE_EVERY_MS = 3_600_000;

export type DeliveryOutcome = 'sent' | 'retry' | 'failed';

export interface WorkerOptions {
  pollMs?: number;
  leaseMs?: number;
  batch?: number;
  backoff?: Backoff;
  onOutcome?: (channel: OutboxChannel, outcome: DeliveryOutcome) => void;
}

export interface OutboxWorker {
  /** Runs one round now (tests; a node that just queued something need not wait for the poll). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

type WorkerContext = Pick<AppContext, 'store' | 'logger'> & { config: Pick<AppContext['config'], 'issuer' | 'delivery'> };

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, row: OutboxTable): T {
  let json: unknown;
  try {
    json = JSON.parse(row.payload);
  } catch {
    json = undefined;
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new DeliveryError(`the queued ${row.channel} message is malformed`, { retry: false });
  return result.data;
}

/**
 * Every node runs one: it claims due rows (claim.ts), sends each on its
 * channel and records the outcome. Delivery is at least once: a node that
 * dies after sending and before recording lets another node send again, so
 * the webhook carries a delivery id a receiver can drop repeats by.
 */
export function startOutboxWorker(ctx: WorkerContext, options: WorkerOptions = {}): OutboxWorker {
  const holder = randomUUID();
  const { pollMs = 2_000, leaseMs = 60_000, batch = 10, backoff = DEFAULT_BACKOFF } = options;
  const delivery: DeliveryConfig = ctx.config.delivery ?? { routes: [] };
  const mailer = mailSender(delivery.smtp);

  async function send(row: OutboxTable): Promise<string | null> {
    switch (row.channel) {
      case 'mail': await mailer.send(parsed(mailPayload, row)); return null;
      case 'webhook': await sendWebhook(delivery.webhook, row.id, parsed(webhookPayload, row).document); return null;
      case 'syslog': await sendSyslog(delivery.syslog, parsed(syslogPayload, row)); return null;
      case 'file': await appendLine(delivery.checkpoints?.file, parsed(filePayload, row).line); return null;
      case 'alert': {
        const { alertId } = parsed(alertPayload, row);
        // The deliveries and the end of the fan-out row commit together.
        await ctx.store.serialized('tessera.outbox.fanout', async (trx) => {
          await fanOutAlert(trx, delivery.routes, alertId, ctx.config.issuer);
          await markSent(trx, row, holder);
        });
        return 'fanned-out';
      }
      default:
        // A row from a newer version of Tessera, read by an older node.
        throw new DeliveryError(`this node cannot send on the channel ${String(row.channel)}`);
    }
  }

  async function deliver(row: OutboxTable): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      const done = await send(row);
      if (done !== 'fanned-out' && !(await markSent(ctx.store.db, row, holder))) {
        ctx.logger.warn({ delivery: row.id, channel: row.channel }, 'delivery sent after its lease ran out; another node may send it again');
      }
      outcome = 'sent';
    } catch (err) {
      const retry = !(err instanceof DeliveryError) || err.retry;
      outcome = await markAttemptFailed(ctx.store.db, row, holder, reasonOf(err), retry, backoff);
      ctx.logger.warn({ delivery: row.id, channel: row.channel, attempt: row.attempts, outcome, reason: reasonOf(err) }, 'delivery attempt failed');
    }
    options.onOutcome?.(row.channel, outcome);
  }

  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  let prunedAt = 0;
  async function round(): Promise<void> {
    if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = Date.now();
      await pruneFinished(ctx.store.db);
    }
    for (;;) {
      const rows = await claimDue(ctx.store.db, holder, leaseMs, batch);
      // Checkpoint lines are appended one after the other, oldest first; the rest go out side by side.
      const lines = rows.filter((r) => r.channel === 'file');
      const appendInOrder = async () => {
        for (const row of lines) await deliver(row);
      };
      await Promise.all([...rows.filter((r) => r.channel !== 'file').map(deliver), appendInOrder()]);
      // A fan-out queued deliveries that are due now: send them in this round too.
      const fannedOut = rows.some((r) => r.channel === 'alert');
      if ((rows.length < batch && !fannedOut) || stopped) return;
    }
  }

  function drain(): Promise<void> {
    running ??= round()
      .catch((err: unknown) => ctx.logger.warn({ reason: reasonOf(err) }, 'outbox could not be read'))
      .finally(() => { running = null; });
    return running;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void drain().then(schedule), pollMs);
    timer.unref();
  };
  schedule();

  return {
    drain,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      mailer.close();
    },
  };
}
