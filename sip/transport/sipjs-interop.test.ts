// Smoke test with an independent SIP stack: sip.js (the browser softphone's stack)
// connects over WebSocket, sends a REGISTER the transport delivers whole, and takes
// the response that goes back on its socket.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Registerer, RegistererState, UserAgent } from 'sip.js';
import type { SipRequest } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { createResponse } from '../message/response.js';
import { WsTransport } from './ws-transport.js';
import { until } from './loopback-clients.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('sip.js over WS', () => {
  it('registers through the WebSocket transport', async () => {
    const t = new WsTransport({ host: '127.0.0.1', port: 0 });
    const { port } = await t.listen();
    cleanup.push(() => t.close());
    const methods: string[] = [];
    t.onMessage = (data, source) => {
      const msg = parseMessage(data, { datagram: false });
      if (!msg.isRequest) return;
      methods.push(msg.method);
      const res = createResponse(msg as SipRequest, 200);
      if (msg.method === 'REGISTER') res.append('Contact', `${msg.get('contact')};expires=600`);
      t.send(res.toBuffer(), source);
    };

    // sip.js uses the browser's global WebSocket.
    const g = globalThis as { WebSocket?: unknown };
    const before = g.WebSocket;
    g.WebSocket = WebSocket;
    cleanup.push(() => void (g.WebSocket = before));

    const ua = new UserAgent({
      uri: UserAgent.makeURI('sip:alice@127.0.0.1'),
      transportOptions: { server: `ws://127.0.0.1:${port}` },
      logLevel: 'error',
    });
    await ua.start();
    cleanup.push(() => ua.stop());
    const registerer = new Registerer(ua);
    const states: RegistererState[] = [];
    registerer.stateChange.addListener((s) => states.push(s));
    await registerer.register();
    await until(() => states.includes(RegistererState.Registered), 'the registration');
    expect(methods).toEqual(['REGISTER']);
    expect(t.stats()).toMatchObject({ messagesIn: 1, messagesOut: 1, connectionsOpen: 1 });
  });
});
