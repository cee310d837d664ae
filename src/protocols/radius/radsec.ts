import { readFileSync } from 'node:fs';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../../app/context.ts';
import type { RadiusConfig } from '../../config/config.ts';
import type { RadiusServer } from './server.ts';

/**
 * RadSec: RADIUS over TLS (RFC 6614) on TCP. The TLS connection protects the
 * packets, whose shared secret is then the fixed "radsec"; with a CA
 * configured, a client must present a certificate it issued. The peer must
 * still be a registered RADIUS client (by address), and each packet goes
 * through the same handling as over UDP.
 */
const RADSEC_SECRET = 'radsec';
const MAX_PACKET = 4096;

export class RadsecServer {
  readonly #server: Server;
  readonly #sockets = new Set<TLSSocket>();

  constructor(ctx: AppContext, radius: RadiusServer, settings: NonNullable<RadiusConfig['radsec']>) {
    const ca = settings.ca ? readFileSync(settings.ca) : undefined;
    this.#server = createServer(
      { cert: readFileSync(settings.cert), key: readFileSync(settings.key), ca, requestCert: !!ca, rejectUnauthorized: !!ca, minVersion: 'TLSv1.2' },
      (socket) => this.#serve(socket, radius),
    );
    this.#server.on('tlsClientError', (err) => ctx.logger.warn({ err: err.message }, 'RadSec TLS handshake refused'));
  }

  #serve(socket: TLSSocket, radius: RadiusServer): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      // A stream of packets, each as long as its header says; a length that cannot be ends the connection.
      while (buffered.length >= 4) {
        const length = buffered.readUInt16BE(2);
        if (length < 20 || length > MAX_PACKET) return void socket.destroy();
        if (buffered.length < length) break;
        const packet = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        void radius.handle(Buffer.from(packet), socket.remoteAddress ?? '', socket.remotePort ?? 0, RADSEC_SECRET).then((reply) => {
          if (reply && !socket.destroyed) socket.write(reply);
        });
      }
    });
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
