import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { countDeliveries } from './list.ts';
import { startOutboxWorker, type OutboxWorker } from './worker.ts';
import { startCheckpointSchedule } from './checkpoints.ts';

/**
 * Delivery on a node: the outbox worker and the audit checkpoint schedule run
 * while the HTTP server does (started when it is ready, stopped with it), and
 * /metrics shows the outbox by channel and status.
 */
export function mountOutbox(app: FastifyInstance, registry: Registry): void {
  const { ctx } = app;
  const attempts = new Counter({
    name: 'tessera_outbox_attempts_total',
    help: 'Delivery attempts by channel and outcome (sent, retry, failed)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'tessera_outbox_deliveries',
    help: 'Outbox rows by channel and status (pending, sent, failed)',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await countDeliveries(ctx.store.db)) this.set({ channel: r.channel, status: r.status }, r.count);
    },
  });
  let worker: OutboxWorker | undefined;
  let checkpoints: { stop(): void } | undefined;
  app.addHook('onReady', async () => {
    const { pollMs, backoff } = ctx.config.delivery?.worker ?? {};
    worker = startOutboxWorker(ctx, { pollMs, backoff, onOutcome: (channel, outcome) => attempts.inc({ channel, outcome }) });
    checkpoints = startCheckpointSchedule(ctx);
  });
  app.addHook('onClose', async () => {
    checkpoints?.stop();
    await worker?.stop();
  });
}
