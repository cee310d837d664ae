/**
 * Writes through the admin API for the tests that break things under load
 * (workers, a node killed behind the balancer, faults): people created one
 * after another by a few callers, with every answer's status kept in order and
 * the names that were acknowledged (201) listed, so a test can check after
 * the fault that each acknowledged write is in the store.
 *
 * Each request gives up after a while, as any real client does: a connection
 * the cluster's primary was handing to a worker at the moment it was killed can
 * stay open with no one to answer it, and a caller waiting on it forever would
 * hang the test. A request given up on counts as not acknowledged.
 */
const REQUEST_TIMEOUT_MS = 15_000;

export const createUser = (base: string, token: string, username: string) =>
  fetch(`${base}/api/admin/users`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ username }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });

export interface WriteLoad {
  /** Each answer's status as it came; 0 when the connection went down (not acknowledged). */
  statuses: number[];
  acknowledged: string[];
  /** Resolves when every caller has finished (the names ran out, or stop() was called). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Creates the named people with `callers` at once; with no names given, `prefix-0`, `prefix-1`… until stopped (at most 2,000). */
export function writeLoad(base: string, token: string, names: string[] | { prefix: string }, callers = 4): WriteLoad {
  const list = Array.isArray(names) ? names : Array.from({ length: 2000 }, (_, i) => `${names.prefix}-${i}`);
  const load: WriteLoad = { statuses: [], acknowledged: [], done: Promise.resolve(), stop: async () => {} };
  let stopped = false;
  let next = 0;
  load.done = Promise.all(Array.from({ length: callers }, async () => {
    while (!stopped && next < list.length) {
      const username = list[next++]!;
      const r = await createUser(base, token, username).catch(() => null);
      load.statuses.push(r?.status ?? 0);
      if (r?.status === 201) load.acknowledged.push(username);
      if (!r) await new Promise((res) => setTimeout(res, 20));
    }
  })).then(() => {});
  load.stop = async () => {
    stopped = true;
    await load.done;
  };
  return load;
}

export async function waitUntil(check: () => boolean, ms = 20_000, what = 'the condition holds'): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
