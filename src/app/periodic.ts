/**
 * A job that runs every `everyMs` on this node, one run at a time: a tick
 * that comes while the last run is still going is skipped. A failed run is
 * reported to `onError` and the job goes on at the next tick. The timer does
 * not keep the process alive; stop() waits for a run in progress.
 */
export interface Periodic {
  stop(): Promise<void>;
}

export function startPeriodic(everyMs: number, run: () => Promise<void>, onError: (err: Error) => void): Periodic {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= run().catch((err: unknown) => onError(err as Error)).finally(() => {
      running = null;
    });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
