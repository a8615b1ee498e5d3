// Starting a listening server (TCP, TLS, HTTP for WebSocket) the same way everywhere:
// a deep accept backlog, bind errors rejected, later errors logged instead of thrown.
import type { AddressInfo, Server } from 'node:net';
import type { TransportLog } from './transport-env.js';

export async function listenServer(
  server: Pick<Server, 'once' | 'off' | 'on' | 'listen' | 'address'>,
  host: string,
  port: number,
  log: TransportLog,
  what: string,
): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 1024 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Accept errors (EMFILE...) arrive here; without a listener they would crash the process.
  server.on('error', (err: Error) => log.warn({ err, transport: what }, 'SIP listener error'));
  return server.address() as AddressInfo;
}
