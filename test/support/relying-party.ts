import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The app's side of an OpenID Connect redirect in browser tests: a real
 * listener on loopback that remembers every URL the browser came back to.
 */
export interface RelyingPartyCallback {
  /** The app's origin, e.g. http://127.0.0.1:40123. */
  origin: string;
  /** Its redirect URI (origin + /callback). */
  redirectUri: string;
  /** Every URL the browser was sent back to, oldest first. */
  callbacks: URL[];
}

export async function startCallbackServer(): Promise<RelyingPartyCallback> {
  const callbacks: URL[] = [];
  let origin = '';
  const server = createServer((req, res) => {
    callbacks.push(new URL(req.url ?? '/', origin));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('back at the app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, redirectUri: `${origin}/callback`, callbacks };
}
