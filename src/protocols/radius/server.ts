import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { Counter, type Registry } from 'prom-client';
import type { AppContext } from '../../app/context.ts';
import { NasDirectory, type KnownNas } from './clients.ts';
import { answerAccessRequest, type FlowOptions } from './flow.ts';
import { CODE, decodeRequest, encodeReply, type Request } from './packet.ts';
import { Retransmissions } from './retransmissions.ts';

/**
 * The RADIUS server (RFC 2865 over UDP) on every node. A packet from an
 * unknown address, one that does not authenticate, or one without a valid
 * Message-Authenticator is dropped without an answer and counted. A NAS
 * resends a request it got no answer to: a resend is answered once, with the
 * same reply, never processed twice (a one-time code would read as a replay).
 */
export interface RadiusServerOptions {
  host: string;
  port: number;
  registry?: Registry;
  flow?: Partial<FlowOptions>;
}

export type DropReason = 'unknown_client' | 'malformed' | 'bad_authenticator' | 'no_message_authenticator' | 'unsupported_code' | 'failed';

export class RadiusServer {
  readonly #ctx: AppContext;
  readonly #socket: Socket;
  readonly #directory: NasDirectory;
  readonly #resends = new Retransmissions();
  readonly #flow: FlowOptions;
  readonly #dropped: Counter<'reason'> | null;
  readonly #answered: Counter<'code'> | null;
  /** Drops by reason, for tests and the logs. */
  readonly drops = new Map<DropReason, number>();

  constructor(ctx: AppContext, options: RadiusServerOptions) {
    this.#ctx = ctx;
    this.#directory = new NasDirectory(ctx.store.db, ctx.secrets);
    this.#flow = { pushWaitMs: options.flow?.pushWaitMs ?? 10_000 };
    const registers = options.registry ? [options.registry] : [];
    this.#dropped = options.registry
      ? new Counter({ name: 'tessera_radius_dropped_total', help: 'RADIUS packets dropped unanswered, by reason', labelNames: ['reason'], registers })
      : null;
    this.#answered = options.registry
      ? new Counter({ name: 'tessera_radius_responses_total', help: 'RADIUS responses sent, by code', labelNames: ['code'], registers })
      : null;
    this.#socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
    this.#socket.on('message', (msg, rinfo) => void this.#receive(msg, rinfo));
    this.#socket.on('error', (err) => ctx.logger.error({ err }, 'RADIUS socket error'));
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#socket.once('error', reject);
      this.#socket.bind(port, host, () => {
        this.#socket.off('error', reject);
        resolve(this.#socket.address());
      });
    });
  }

  address(): AddressInfo {
    return this.#socket.address();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  /** Counts a dropped packet; null is what the caller answers with: nothing. */
  #drop(reason: DropReason): null {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.#dropped?.inc({ reason });
    return null;
  }

  async #receive(msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    const reply = await this.handle(msg, rinfo.address, rinfo.port);
    if (reply) this.#socket.send(reply, rinfo.port, rinfo.address);
  }

  /**
   * One packet from a peer: the reply to send, or null to drop it. RadSec
   * passes its transport's secret ("radsec", RFC 6614 §2.3) instead of the NAS's.
   */
  async handle(msg: Buffer, address: string, port: number, transportSecret?: string): Promise<Buffer | null> {
    try {
      const known = await this.#directory.find(address);
      if (!known) return this.#drop('unknown_client');
      const nas = transportSecret ? { ...known, secret: transportSecret } : known;
      const request = decodeRequest(msg, nas.secret);
      if ('drop' in request) return this.#drop(request.drop);
      const reply = await this.#resends.once(`${address}:${port}`, request, () => this.#answer(nas, request, address));
      if (reply) this.#answered?.inc({ code: String(reply[0]) });
      return reply;
    } catch (err) {
      // Never a crash: a request that fails is dropped (the NAS retries or gives up) and logged without its content.
      this.#ctx.logger.error({ err, nas: address }, 'RADIUS request failed');
      return this.#drop('failed');
    }
  }

  async #answer(nas: KnownNas, request: Request, source: string): Promise<Buffer> {
    // Status-Server (RFC 5997): "I am alive", to a client that authenticated its question.
    if (request.code === CODE.statusServer) return encodeReply(request, { code: CODE.accessAccept }, nas.secret);
    const reply = await answerAccessRequest(this.#ctx, nas, request, source, this.#flow);
    return encodeReply(request, reply, nas.secret);
  }
}
