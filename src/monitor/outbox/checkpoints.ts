import type { AppContext } from '../../app/context.ts';
import { chainHead, checkpointKey, signCheckpoint, type Checkpoint } from '../../audit/checkpoints.ts';
import { enqueue } from './enqueue.ts';
import { reasonOf } from './channels/errors.ts';

type CheckpointContext = Pick<AppContext, 'config' | 'store' | 'logger'>;

/**
 * Queues the signed chain head for every configured sink, once per interval
 * across nodes: the key names the interval, so the nodes that all tick in it
 * queue one set. Returns the checkpoint, or null when there was nothing to do.
 */
export async function queueCheckpoint(ctx: CheckpointContext, now = new Date()): Promise<Checkpoint | null> {
  const sinks = ctx.config.delivery?.checkpoints;
  if (!sinks) return null;
  const slot = Math.floor(now.getTime() / 1000 / sinks.intervalSeconds);
  return ctx.store.serialized('tessera.audit.checkpoint', async (trx) => {
    const head = await chainHead(trx);
    if (!head) return null;
    const checkpoint = signCheckpoint(checkpointKey(ctx.config), head, now);
    const line = JSON.stringify(checkpoint);
    const key = (sink: string) => ({ key: `audit-checkpoint:${slot}:${sink}` });
    if (sinks.file) await enqueue(trx, 'file', { line }, key('file'));
    if (sinks.webhook) await enqueue(trx, 'webhook', { document: { type: 'audit.checkpoint', checkpoint } }, key('webhook'));
    if (sinks.syslog) {
      await enqueue(trx, 'syslog', { level: 'info', msgid: 'audit.checkpoint', params: { seq: String(head.seq), hash: head.hash }, text: line }, key('syslog'));
    }
    return checkpoint;
  });
}

/** Every node ticks; each interval gets one checkpoint (see queueCheckpoint). */
export function startCheckpointSchedule(ctx: CheckpointContext): { stop(): void } {
  const sinks = ctx.config.delivery?.checkpoints;
  if (!sinks) return { stop() {} };
  const tick = () => {
    queueCheckpoint(ctx).catch((err: unknown) => ctx.logger.warn({ reason: reasonOf(err) }, 'audit checkpoint could not be queued'));
  };
  // Checked more often than the interval so a node started mid-interval does not wait a whole one.
  const timer = setInterval(tick, Math.min(sinks.intervalSeconds, 60) * 1000);
  timer.unref();
  tick();
  return { stop: () => clearInterval(timer) };
}
