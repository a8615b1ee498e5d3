// A trunk's `encryption` on the wire (docs/trunks.md). The carrier speaks SIP over TLS with a
// certificate of its own (test/calls/trunk-tls-carrier.ts; Debian's SIPp has no TLS), which
// the server trusts through NODE_EXTRA_CA_CERTS as it would a CA-signed one. Its media is an
// RtpPeer with SDES SRTP keys: what it receives is decrypted with the key Switchboard
// offered, and the raw packets are checked not to be plain PCMU.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulawDecodeSample } from '../../media/codecs/g711.js';
import type { RtpPeer } from '../helpers/rtp-peer.js';
import {
  ALICE, CARRIER_IP, aim, callee, carries, hasStatus, newestCallTo, numberToAlice, party, rtpPeers, sleep, startRig, statusesReceived, tone, waitForCall,
  type Rig,
} from './call-rig.js';
import { carrierCertificate, connectToSwitchboard, TlsCarrierServer, type WireMessage } from './trunk-tls-carrier.js';

const NUMBER = '+14155550188'; // the tenant's, routed to alice
const cert = carrierCertificate();
let rig: Rig;
const rtp = rtpPeers();
const carriers: TlsCarrierServer[] = [];

beforeAll(async () => {
  rig = await startRig({ env: { NODE_EXTRA_CA_CERTS: cert.certPath } });
  await numberToAlice(rig, NUMBER);
});
afterAll(async () => {
  await rtp.closeAll();
  for (const c of carriers) await c.close();
  await rig?.sb.stop();
});

const peer = (address?: string): Promise<RtpPeer> => rtp.open(address);

/** A TLS carrier the trunk now terminates at, with `encryption`. */
async function carrierFor(encryption: string, certificate = cert): Promise<TlsCarrierServer> {
  const carrier = await new TlsCarrierServer(certificate).listen();
  carriers.push(carrier);
  const r = await rig.api.put(`/api/v1/voice/sip-trunks/${rig.trunkId}`, { termination_uri: `sip:127.0.0.1:${carrier.port}`, encryption });
  expect(r.status, r.text).toBe(200);
  return carrier;
}

const isInvite = (m: WireMessage) => m.method === 'INVITE' && m.status === undefined;

/** The PCMU payloads of raw (still encrypted) packets, decoded as if they were plain. */
function decodedAsPlain(packets: Buffer[]): Int16Array {
  const out: number[] = [];
  for (const p of packets) for (const b of p.subarray(12, 12 + 160)) out.push(ulawDecodeSample(b));
  return Int16Array.from(out);
}

describe('encryption tls_srtp, calls out', () => {
  it('goes over TLS with an RTP/SAVP offer, and the media is SRTP both ways', async () => {
    const carrier = await carrierFor('tls_srtp');
    const dialled = '+14155557101';
    const since = new Date().toISOString();
    const aliceRtp = await peer();
    const alice = party({
      scenario: 'extension-caller.xml', service: dialled, target: rig.sb.sipPort, rtp: aliceRtp,
      keys: { caller: ALICE.username }, auth: { username: ALICE.username, password: ALICE.password },
    });
    const conn = await carrier.connection();
    const invite = await conn.next(isInvite, 'INVITE');
    // SIP over TLS to the termination URI, the transport named in the Request-URI.
    expect(invite.startLine).toBe(`INVITE sip:${dialled}@127.0.0.1:${carrier.port};transport=tls SIP/2.0`);
    expect(invite.header('via')).toMatch(/^SIP\/2\.0\/TLS /);
    expect(invite.header('contact')).toMatch(/;transport=tls>/);
    // SDES SRTP: RTP/SAVP with a=crypto, AES_CM_128_HMAC_SHA1_80 first.
    expect(invite.body).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    expect(invite.body).toMatch(/^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}/m);

    const carrierRtp = (await peer()).withSrtp('AES_CM_128_HMAC_SHA1_80');
    carrierRtp.target(invite.body).useSrtp(invite.body);
    const raw: Buffer[] = [];
    carrierRtp.socket.on('message', (m: Buffer) => raw.push(Buffer.from(m)));
    conn.respond(invite, '100 Trying');
    conn.respond(invite, '200 OK', {
      toTag: 'carrier-1',
      extra: [`Contact: <sip:carrier@127.0.0.1:${carrier.port};transport=tls>`, 'Content-Type: application/sdp'],
      body: carrierRtp.sdp(),
    });
    await conn.next((m) => m.method === 'ACK', 'ACK');
    await aim(aliceRtp, alice);
    const call = await waitForCall(rig.api, (await newestCallTo(rig.api, dialled, since)).id, hasStatus('in_progress'), 'in_progress');
    expect(call.trunk_id).toBe(rig.trunkId);

    const aFrom = aliceRtp.received.length;
    const cFrom = carrierRtp.received.length;
    const rawFrom = raw.length;
    await Promise.all([aliceRtp.play(tone(440, 1000)), carrierRtp.play(tone(700, 1000))]);
    // Decrypted with the key Switchboard offered: alice's tone; and alice hears the carrier's.
    expect(carries(carrierRtp.heard(cFrom), 440, 700), 'the carrier decrypts alice').toBe(true);
    expect(carrierRtp.srtpFailures).toBe(0);
    expect(carries(aliceRtp.heard(aFrom), 700, 440), 'alice hears the carrier').toBe(true);
    // On the wire: PCMU frames with the 10-byte SRTP tag, and no tone in the payload bytes.
    const wire = raw.slice(rawFrom).filter((p) => (p[1]! & 0x7f) === 0);
    expect(wire.length).toBeGreaterThan(25);
    for (const p of wire) expect(p.length).toBe(12 + 160 + 10);
    expect(carries(decodedAsPlain(wire), 440, 700), 'the payload is not plain PCMU').toBe(false);

    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const bye = await conn.next((m) => m.method === 'BYE', 'BYE');
    conn.respond(bye, '200 OK');
    const a = await alice.done;
    expect(a.code, a.output).toBe(0);
    await waitForCall(rig.api, call.id, hasStatus('completed'), 'completed');
  });

  it('fails the call, never falling back to plain RTP, when the carrier answers without SRTP', async () => {
    const carrier = await carrierFor('tls_srtp');
    const placed = await rig.api.post('/api/v1/voice/calls', { to: '+14155557102', from: '+14155550100' });
    expect(placed.status, placed.text).toBe(201);
    const conn = await carrier.connection();
    const invite = await conn.next(isInvite, 'INVITE');
    const plain = await peer(); // no keys: an RTP/AVP answer
    conn.respond(invite, '200 OK', {
      toTag: 'carrier-2',
      extra: [`Contact: <sip:carrier@127.0.0.1:${carrier.port};transport=tls>`, 'Content-Type: application/sdp'],
      body: plain.sdp(),
    });
    await conn.next((m) => m.method === 'ACK', 'ACK');
    const bye = await conn.next((m) => m.method === 'BYE', 'BYE');
    conn.respond(bye, '200 OK');
    const ended = await waitForCall(rig.api, placed.body.data.id, hasStatus('failed'), 'failed');
    expect(ended).toMatchObject({ status: 'failed', hangup_cause: 'srtp_required' });
    expect(plain.received).toHaveLength(0);
  });

  it('does not call a carrier whose certificate it cannot verify, nor fall back to UDP', async () => {
    const stranger = carrierCertificate(); // not in NODE_EXTRA_CA_CERTS
    const carrier = await carrierFor('tls_srtp', stranger);
    // Something on the same port over UDP would catch a plain-text fallback.
    const udp = createSocket('udp4');
    const udpGot: Buffer[] = [];
    udp.on('message', (m) => udpGot.push(m));
    await new Promise<void>((resolve) => udp.bind(carrier.port, '127.0.0.1', resolve));
    try {
      const placed = await rig.api.post('/api/v1/voice/calls', { to: '+14155557103', from: '+14155550100' });
      expect(placed.status, placed.text).toBe(201);
      for (let i = 0; i < 100 && carrier.attempts === 0; i++) await sleep(20);
      expect(carrier.attempts, 'Switchboard tried TLS').toBeGreaterThan(0);
      await sleep(1500);
      // ...and sent nothing once the certificate failed: no INVITE over TLS, none over UDP.
      expect(carrier.connections.flatMap((c) => c.received)).toEqual([]);
      expect(udpGot).toEqual([]);
      const call = (await rig.api.get(`/api/v1/voice/calls/${placed.body.data.id}`)).body.data;
      expect(call.status).toBe('initiating');
      expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    } finally {
      udp.close();
    }
  });
});

describe('encryption tls_srtp, calls in', () => {
  it('takes a carrier INVITE over TLS with an SRTP offer and answers with SRTP', async () => {
    await carrierFor('tls_srtp');
    const since = new Date().toISOString();
    const aliceRtp = await peer();
    const alice = await callee({ scenario: 'callee.xml', port: rig.alicePort, rtp: aliceRtp });
    const carrierRtp = (await peer(CARRIER_IP)).withSrtp('AES_CM_128_HMAC_SHA1_80');
    const tlsPort = rig.sb.sip.TLS!;
    const conn = await connectToSwitchboard(tlsPort, CARRIER_IP);
    const local = conn.socket.address() as { port: number };
    const from = `<sip:+14155550100@${CARRIER_IP}>;tag=carrier-in`;
    conn.send([
      `INVITE sip:${NUMBER}@127.0.0.1:${tlsPort};transport=tls SIP/2.0`,
      `Via: SIP/2.0/TLS ${CARRIER_IP}:${local.port};branch=z9hG4bK-tls-in-1;rport`,
      'Max-Forwards: 70',
      `From: ${from}`,
      `To: <sip:${NUMBER}@127.0.0.1>`,
      'Call-ID: tls-in-1@carrier.test',
      'CSeq: 1 INVITE',
      `Contact: <sip:carrier@${CARRIER_IP}:${local.port};transport=tls>`,
      'Content-Type: application/sdp',
    ], carrierRtp.sdp());
    const ok = await conn.next((m) => m.status === 200 && m.method === 'INVITE', '200 OK', 10_000);
    expect(ok.body).toMatch(/^m=audio \d+ RTP\/SAVP /m);
    expect(ok.body).toMatch(/^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/m);
    carrierRtp.target(ok.body).useSrtp(ok.body);
    const contact = /<([^>]+)>/.exec(ok.header('contact')!)![1]!;
    conn.send([
      `ACK ${contact} SIP/2.0`,
      `Via: SIP/2.0/TLS ${CARRIER_IP}:${local.port};branch=z9hG4bK-tls-in-ack;rport`,
      'Max-Forwards: 70',
      `From: ${from}`,
      `To: ${ok.header('to')}`,
      'Call-ID: tls-in-1@carrier.test',
      'CSeq: 1 ACK',
    ]);
    await aim(aliceRtp, alice);
    const call = await waitForCall(rig.api, (await newestCallTo(rig.api, NUMBER, since)).id, hasStatus('in_progress'), 'in_progress');
    expect(call).toMatchObject({ direction: 'inbound', trunk_id: rig.trunkId, callee_extension_id: rig.aliceId });

    const aFrom = aliceRtp.received.length;
    const cFrom = carrierRtp.received.length;
    await Promise.all([carrierRtp.play(tone(440, 1000)), aliceRtp.play(tone(700, 1000))]);
    expect(carries(aliceRtp.heard(aFrom), 440, 700), 'alice hears the carrier (decrypted by Switchboard)').toBe(true);
    expect(carries(carrierRtp.heard(cFrom), 700, 440), 'the carrier decrypts alice').toBe(true);
    expect(carrierRtp.srtpFailures).toBe(0);

    expect((await rig.api.post(`/api/v1/voice/calls/${call.id}/hangup`)).status).toBe(200);
    const bye = await conn.next((m) => m.method === 'BYE', 'BYE');
    conn.respond(bye, '200 OK');
    expect((await alice.done).code).toBe(0);
    conn.close();
  });

  it('refuses the carrier over plain UDP (403) and a plain RTP offer over TLS (488)', async () => {
    const udp = party({ scenario: 'caller-refused.xml', ip: CARRIER_IP, service: NUMBER, target: rig.sb.sipPort });
    expect((await udp.done).code).toBe(0);
    expect(statusesReceived(udp).filter((s) => s !== 100)).toEqual([403]);

    const plainRtp = await peer(CARRIER_IP); // no keys: RTP/AVP
    const tlsPort = rig.sb.sip.TLS!;
    const conn = await connectToSwitchboard(tlsPort, CARRIER_IP);
    const local = conn.socket.address() as { port: number };
    conn.send([
      `INVITE sip:${NUMBER}@127.0.0.1:${tlsPort};transport=tls SIP/2.0`,
      `Via: SIP/2.0/TLS ${CARRIER_IP}:${local.port};branch=z9hG4bK-tls-in-2;rport`,
      'Max-Forwards: 70',
      `From: <sip:+14155550100@${CARRIER_IP}>;tag=carrier-in-2`,
      `To: <sip:${NUMBER}@127.0.0.1>`,
      'Call-ID: tls-in-2@carrier.test',
      'CSeq: 1 INVITE',
      `Contact: <sip:carrier@${CARRIER_IP}:${local.port};transport=tls>`,
      'Content-Type: application/sdp',
    ], plainRtp.sdp());
    const refused = await conn.next((m) => m.status !== undefined && m.status >= 300, 'a refusal');
    expect(refused.status).toBe(488);
    conn.close();
  });
});

describe('encryption tls, register: true', () => {
  it('REGISTERs over TLS (Contact ;transport=tls) and un-REGISTERs over TLS when deleted', async () => {
    const registrar = await new TlsCarrierServer(cert).listen();
    carriers.push(registrar);
    const made = await rig.api.post('/api/v1/voice/sip-trunks', {
      name: 'TLS registrar', termination_uri: `sip:127.0.0.1:${registrar.port}`, encryption: 'tls',
      auth_username: 'tlsuser', auth_password: 'tls-secret-3', register: true,
    });
    expect(made.status, made.text).toBe(201);
    const conn = await registrar.connection();
    const isRegister = (m: WireMessage) => m.method === 'REGISTER' && m.status === undefined;
    const answer = async (from: number, expires: string): Promise<WireMessage> => {
      const first = await conn.next(isRegister, 'REGISTER', 5000, from);
      conn.respond(first, '401 Unauthorized', { toTag: 'reg', extra: ['WWW-Authenticate: Digest realm="carrier.test", nonce="tls-nonce", qop="auth"'] });
      const again = await conn.next((m) => isRegister(m) && m !== first, 'REGISTER with credentials', 5000, conn.received.indexOf(first) + 1);
      expect(again.header('authorization')).toMatch(/^Digest username="tlsuser", realm="carrier.test"/);
      conn.respond(again, '200 OK', { toTag: 'reg', extra: [`Contact: ${again.header('contact')};expires=${expires}`] });
      return again;
    };
    const registered = await answer(0, '300');
    expect(registered.startLine).toBe(`REGISTER sip:127.0.0.1:${registrar.port};transport=tls SIP/2.0`);
    expect(registered.header('via')).toMatch(/^SIP\/2\.0\/TLS /);
    expect(registered.header('contact')).toMatch(new RegExp(`^<sip:tlsuser@127\\.0\\.0\\.1:${rig.sb.sip.TLS};transport=tls>`));

    const mark = conn.received.length;
    expect((await rig.api.delete(`/api/v1/voice/sip-trunks/${made.body.data.id}`)).status).toBe(200);
    const removed = await answer(mark, '0');
    expect(removed.header('expires')).toBe('0');
  });
});
