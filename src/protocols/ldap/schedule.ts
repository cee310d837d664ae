import type { AppContext } from '../../app/context.ts';
import { listSources } from './sources.ts';
import { syncIfDue } from './sync.ts';

/**
 * Every node runs the schedule; the lease in the store makes one of them do
 * each sync. A failed sync is logged by source name and reason (never a
 * password) and tried again at the next interval.
 */
const TICK_MS = 60_000;

export function startLdapSchedule(ctx: Pick<AppContext, 'store' | 'secrets' | 'logger'>, tickMs = TICK_MS): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= (async () => {
      try {
        for (const source of await listSources(ctx.store.db)) {
          try {
            const report = await syncIfDue(ctx.store, ctx.secrets, source);
            if (report) ctx.logger.info({ source: source.name, counts: report.counts }, 'directory sync done');
          } catch (err) {
            ctx.logger.warn({ source: source.name, reason: (err as Error).message }, 'directory sync failed');
          }
        }
      } catch (err) {
        ctx.logger.warn({ reason: (err as Error).message }, 'directory sync schedule could not read the sources');
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
