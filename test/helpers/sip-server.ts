// A running server and a UDP peer for one test file: started before its tests,
// stopped after them.
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer, type StartOptions } from './server.js';
import { UdpPeer } from './sip-udp.js';

export interface SipTestContext {
  sb: RunningServer;
  peer: UdpPeer;
}

export function useServerAndPeer(opts: StartOptions = {}): SipTestContext {
  const ctx = {} as SipTestContext;
  beforeAll(async () => {
    ctx.sb = await startServer(opts);
    ctx.peer = await UdpPeer.open();
  });
  afterAll(async () => {
    ctx.peer?.close();
    await ctx.sb?.stop();
  });
  return ctx;
}
