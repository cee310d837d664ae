import { createSocket } from 'node:dgram';

/**
 * A UDP port free right now on 127.0.0.1, for a RADIUS listener. freePort()
 * asks TCP, which cannot see a port another server holds for UDP: two nodes
 * given TCP-free ports for RADIUS could get the same one.
 */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
