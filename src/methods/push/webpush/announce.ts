import type { Store } from '../../../store/store.ts';
import type { PushRequest } from '../requests.ts';

/**
 * What happens when a push request has been stored: the HTTP edge, which
 * knows the configuration and the app names, registers a Web Push announcer for
 * its store when it starts. The request is announced after its transaction
 * committed, and nobody waits for it: a slow or failing push service never
 * delays a sign-in, and the long poll still finds the request.
 */
export type Announcer = (request: PushRequest) => Promise<unknown>;

const announcers = new WeakMap<Store, Announcer>();

/** Registers the announcer for a store; answers the function that takes it away again. */
export function registerAnnouncer(store: Store, announcer: Announcer): () => void {
  announcers.set(store, announcer);
  return () => {
    if (announcers.get(store) === announcer) announcers.delete(store);
  };
}

export function announcePushRequest(store: Store, request: PushRequest): void {
  const announcer = announcers.get(store);
  if (!announcer) return;
  // Started on the next turn, so not even the key lookups run before the sign-in page answers.
  setImmediate(() => {
    announcer(request).catch(() => undefined);
  });
}
