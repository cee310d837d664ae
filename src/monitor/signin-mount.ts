import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { startPeriodic } from '../app/periodic.ts';
import { observeSignins } from './signin-log.ts';
import { DEFAULT_RETENTION_DAYS, pruneSigninLog } from './signin-retention.ts';

const PRUNE_EVERY_MS = 3_600_000;

/**
 * The sign-in log's upkeep on this node: outcomes counted on /metrics (by the
 * methods used, the app and the result) and rows past the retention pruned
 * every hour (and once at start).
 */
export function mountSigninLog(app: FastifyInstance, registry: Registry): void {
  const outcomes = new Counter({
    name: 'tessera_signins_total',
    help: 'Sign-in attempts written to the sign-in log, by the methods used, the app and the result',
    labelNames: ['methods', 'app', 'result'] as const,
    registers: [registry],
  });
  const stopObserving = observeSignins((e) => {
    outcomes.inc({ methods: e.methodsUsed?.length ? e.methodsUsed.join('+') : 'none', app: e.clientId ?? 'portal', result: e.result });
  });
  const { ctx } = app;
  const days = ctx.config.signinLogRetentionDays ?? DEFAULT_RETENTION_DAYS;
  const prune = async () => {
    const n = await pruneSigninLog(ctx.store.db, days);
    if (n) ctx.logger.info({ rows: n, retention_days: days }, 'sign-in log rows past the retention pruned');
  };
  const failed = (err: unknown) => ctx.logger.warn({ err }, 'sign-in log pruning failed; trying again in an hour');
  let job: ReturnType<typeof startPeriodic> | null = null;
  let first: Promise<void> = Promise.resolve();
  app.addHook('onReady', async () => {
    job = startPeriodic(PRUNE_EVERY_MS, prune, failed);
    first = prune().catch(failed);
  });
  app.addHook('onClose', async () => {
    stopObserving();
    await first;
    await job?.stop();
  });
}
