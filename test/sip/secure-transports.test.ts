// Registration over the encrypted transports of the running server: SIP over TLS
// with the self-signed certificate made at first start, and sip.js over WSS.
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { client } from '../helpers/http.js';
import { parseWireResponse } from '../helpers/sip-udp.js';
import { registerWithSipJs } from '../helpers/sipjs.js';
import { parseMessage } from '../../sip/message/parse.js';
import { answerChallenge, DigestClientState } from '../../sip/auth/index.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';

let sb: RunningServer;
let credId: string;

beforeAll(async () => {
  sb = await startServer();
  const r = await client(sb.baseUrl, sb.firstKey).post('/api/v1/voice/sip-credentials', { username: 'tina', password: 'tina-secret-77' });
  credId = r.body.data.id;
});
afterAll(async () => {
  await sb?.stop();
});

/** The credential's registration over `transport`, once it is written (within ~100 ms). */
async function registrationOver(transport: string): Promise<any> {
  for (let i = 0; i < 50; i++) {
    const r = await client(sb.baseUrl, sb.firstKey).get(`/api/v1/voice/sip-credentials/${credId}`);
    const found = r.body.data.registrations.find((x: any) => x.transport === transport);
    if (found) return found;
    await new Promise((res) => setTimeout(res, 100));
  }
  return undefined;
}

describe('SIP over TLS', () => {
  it('registers with digest authentication over one TLS connection', async () => {
    const socket = tls.connect({ host: '127.0.0.1', port: sb.sip.TLS!, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', () => resolve()).once('error', reject));
    expect(socket.getPeerCertificate().subject?.CN).toBe('switchboard');
    let buffered = '';
    const next = (): Promise<string> =>
      new Promise((resolve) => {
        const check = () => {
          const end = buffered.indexOf('\r\n\r\n');
          if (end < 0) return false;
          const msg = buffered.slice(0, end + 4); // responses here carry no body
          buffered = buffered.slice(end + 4);
          resolve(msg);
          return true;
        };
        if (check()) return;
        const onData = (d: Buffer) => {
          buffered += d.toString();
          if (check()) socket.off('data', onData);
        };
        socket.on('data', onData);
      });
    const port = socket.localPort!;
    const req = (n: number, auth?: string) =>
      [
        'REGISTER sips:127.0.0.1 SIP/2.0',
        `Via: SIP/2.0/TLS 127.0.0.1:${port};branch=z9hG4bK-tls-${n};rport`,
        'From: <sips:tina@127.0.0.1>;tag=tls1',
        'To: <sips:tina@127.0.0.1>',
        'Call-ID: tls-reg@127.0.0.1',
        `CSeq: ${n} REGISTER`,
        `Contact: <sips:tina@127.0.0.1:${port};transport=tls>`,
        ...(auth ? [`Authorization: ${auth}`] : []),
        'Max-Forwards: 70',
        'Expires: 600',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    try {
      socket.write(req(1));
      const challenge = await next();
      expect(parseWireResponse(challenge)!.status).toBe(401);
      const [answer] = answerChallenge(
        parseMessage(Buffer.from(challenge), { datagram: false }) as SipResponse,
        parseMessage(Buffer.from(req(1))) as SipRequest,
        { username: 'tina', password: 'tina-secret-77' },
        new DigestClientState(),
      );
      socket.write(req(2, answer!.value));
      expect(parseWireResponse(await next())!.status).toBe(200);
      expect(await registrationOver('TLS')).toMatchObject({ source_address: '127.0.0.1' });
    } finally {
      socket.destroy();
    }
  });
});

describe('SIP over secure WebSocket', () => {
  it('sip.js registers over WSS', async () => {
    const reg = await registerWithSipJs({ server: `wss://127.0.0.1:${sb.sip.WSS}`, user: 'tina', password: 'tina-secret-77' });
    try {
      expect(await registrationOver('WSS')).toMatchObject({ source_address: '127.0.0.1' });
    } finally {
      await reg.stop();
    }
  });
});
