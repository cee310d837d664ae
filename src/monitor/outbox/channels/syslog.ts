import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { DeliveryConfig } from '../../../config/delivery.ts';
import { DeliveryError } from './errors.ts';
import { formatSyslog, octetCounted, type SyslogMessage } from './syslog-format.ts';

const TIMEOUT_MS = 10_000;
/** RFC 5426 asks receivers to take 2048-octet datagrams; longer ones are cut (TCP has no limit). */
const UDP_MAX_OCTETS = 2048;

function target(config: DeliveryConfig['syslog']): { protocol: 'udp' | 'tcp'; host: string; port: number } {
  if (!config) throw new DeliveryError('no syslog server is configured (TESSERA_SYSLOG_URL)');
  const url = new URL(config.url);
  return { protocol: url.protocol === 'tcp:' ? 'tcp' : 'udp', host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 514 };
}

function sendUdp(host: string, port: number, text: string): Promise<void> {
  let datagram = Buffer.from(text, 'utf8');
  if (datagram.length > UDP_MAX_OCTETS) datagram = datagram.subarray(0, UDP_MAX_OCTETS);
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise<void>((resolve, reject) => {
    socket.send(datagram, port, host, (err) => {
      socket.close();
      if (err) reject(new DeliveryError(`the syslog server could not be reached over UDP: ${err.message}`));
      else resolve();
    });
  });
}

/**
 * One connection per message: nothing to keep alive between alerts, and a
 * half-dead connection cannot swallow one. RFC 6587 has no acknowledgement, so
 * the message counts as sent once it is handed to the kernel; the socket then
 * closes when the server closes its side, or is dropped at the timeout.
 */
function sendTcp(host: string, port: number, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let sent = false;
    const socket = connect({ host, port });
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(sent ? undefined : new Error(`no progress within ${TIMEOUT_MS / 1000} s`)));
    // 'on', not 'once': a late error after the message went out must not be left unhandled.
    socket.on('error', (err) => {
      if (!sent) reject(new DeliveryError(`the syslog server could not be reached over TCP: ${err.message}`));
    });
    socket.once('connect', () => socket.end(octetCounted(text), () => {
      sent = true;
      resolve();
    }));
  });
}

export async function sendSyslog(config: DeliveryConfig['syslog'], message: SyslogMessage): Promise<void> {
  const { protocol, host, port } = target(config);
  const text = formatSyslog(message);
  await (protocol === 'tcp' ? sendTcp(host, port, text) : sendUdp(host, port, text));
}
