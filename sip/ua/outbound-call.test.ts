// Outbound INVITE sessions over a fake transport and a manual clock: what goes to the
// trunk, and what each of its answers (progress, 2xx, challenges, failures, forks,
// silence) makes of the call.
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.js';
import { createResponse } from '../message/response.js';
import type { Peer } from '../transaction/transaction-layer.js';
import { SDP_ANSWER, SDP_OFFER, uaHarness, type UaHarness } from '../../test/helpers/sip-ua.js';
import type { OutboundCall } from './outbound-call.js';
import type { Termination } from './session-types.js';

const TRUNK: Peer = { transport: 'UDP', address: '198.51.100.7', port: 5060 };
const TARGET = 'sip:+15559990000@198.51.100.7';

const requests = (h: UaHarness): SipRequest[] => h.take().flatMap((w) => (w.msg.isRequest ? [w.msg] : []));

function trunkReply(req: SipRequest, status: number, o: { tag?: string; sdp?: string; headers?: [string, string][] } = {}): string {
  const res: SipResponse = createResponse(req, status, {
    ...(o.tag ? { toTag: o.tag } : {}),
    headers: [...(status > 100 && status < 300 ? ([['Contact', `<sip:callee@198.51.100.7>`]] as [string, string][]) : []), ...(o.headers ?? [])],
    ...(o.sdp ? { body: Buffer.from(o.sdp), contentType: 'application/sdp' } : {}),
  });
  return res.toString();
}

function watch(call: OutboundCall): { events: string[]; ended: Termination[] } {
  const events: string[] = [];
  const ended: Termination[] = [];
  call.on('progress', (p) => events.push(`progress:${p.status}${p.sdp ? '+sdp' : ''}`));
  call.on('answered', (a) => events.push(`answered${a.sdp ? '+sdp' : ''}`));
  call.on('failed', (f) => events.push(`failed:${f.status}`));
  call.on('terminated', (t) => ended.push(t));
  return { events, ended };
}

async function dial(h: UaHarness, opts: Partial<Parameters<UaHarness['ua']['invite']>[0]> = {}): Promise<{ call: OutboundCall; invite: SipRequest; log: ReturnType<typeof watch> }> {
  const call = h.ua.invite({ target: TARGET, from: '"Switchboard" <sip:+15550001111@example.test>', sdp: SDP_ANSWER, ...opts });
  const log = watch(call);
  await h.flush();
  const sent = h.take();
  // (undefined when nothing was sent: the target did not resolve)
  const invite = sent.find((w) => w.msg.isRequest && w.msg.method === 'INVITE');
  return { call, invite: invite?.msg as SipRequest, log };
}

describe('an outbound call', () => {
  it('sends an INVITE with From tag, Contact, Allow and the offer to the target\'s address', async () => {
    const h = await uaHarness();
    const { invite } = await dial(h, { headers: [['P-Asserted-Identity', '<sip:+15550001111@example.test>']] });
    expect(h.udp.sent[0]!.to).toEqual(TRUNK);
    expect(invite.uri).toBe(TARGET);
    expect(invite.get('from')).toBe('"Switchboard" <sip:+15550001111@example.test>;tag=sbtag1');
    expect(invite.get('to')).toBe(`<${TARGET}>`);
    expect(invite.get('contact')).toBe('<sip:192.0.2.1:5060>');
    expect(invite.get('allow')).toContain('INVITE');
    expect(invite.get('p-asserted-identity')).toBe('<sip:+15550001111@example.test>');
    expect(invite.topVia()).toMatchObject({ transport: 'UDP', host: '192.0.2.1', port: 5060 });
    expect(invite.body.toString()).toBe(SDP_ANSWER);
  });

  it('reports progress, then answers: ACK sent, and sent again for a retransmitted 200', async () => {
    const h = await uaHarness();
    const { call, invite, log } = await dial(h);
    await h.deliver(trunkReply(invite, 100), TRUNK);
    await h.deliver(trunkReply(invite, 183, { tag: 'tr1', sdp: SDP_OFFER }), TRUNK);
    expect(call.state).toBe('early');
    await h.deliver(trunkReply(invite, 200, { tag: 'tr1', sdp: SDP_OFFER }), TRUNK);
    expect(log.events).toEqual(['progress:183+sdp', 'answered+sdp']);
    expect(call.state).toBe('confirmed');
    expect(call.answerSdp).toBe(SDP_OFFER);
    const [ack] = requests(h);
    expect(ack!.method).toBe('ACK');
    expect(ack!.uri).toBe('sip:callee@198.51.100.7');
    expect(ack!.cseq()).toEqual({ seq: 1, method: 'ACK' });
    expect(ack!.to().params.get('tag')).toBe('tr1');
    await h.deliver(trunkReply(invite, 200, { tag: 'tr1', sdp: SDP_OFFER }), TRUNK);
    expect(requests(h).map((r) => r.method)).toEqual(['ACK']);
    call.bye();
    const [bye] = requests(h);
    expect(bye!.method).toBe('BYE');
    expect(bye!.cseq().seq).toBe(2);
    expect(log.ended).toEqual([{ cause: 'bye-local' }]);
  });

  it('answers a 401 once with the trunk\'s credentials (new CSeq and branch); a second 401 fails the call', async () => {
    const h = await uaHarness();
    const { invite, log } = await dial(h, { credentials: { username: 'trunkuser', password: 'trunkpw' } });
    const challenge: [string, string] = ['WWW-Authenticate', 'Digest realm="carrier", nonce="abc123", qop="auth", algorithm=MD5'];
    await h.deliver(trunkReply(invite, 401, { tag: 'x', headers: [challenge] }), TRUNK);
    const [ack, again] = requests(h);
    expect(ack!.method).toBe('ACK');
    expect(again!.method).toBe('INVITE');
    expect(again!.cseq().seq).toBe(2);
    expect(again!.topVia().params.get('branch')).not.toBe(invite.topVia().params.get('branch'));
    expect(again!.get('authorization')).toMatch(/^Digest username="trunkuser", realm="carrier", nonce="abc123", uri="sip:\+15559990000@198\.51\.100\.7"/);
    expect(again!.from().params.get('tag')).toBe(invite.from().params.get('tag'));
    expect(again!.callId()).toBe(invite.callId());
    await h.deliver(trunkReply(again!, 401, { tag: 'y', headers: [challenge] }), TRUNK);
    expect(requests(h).map((r) => r.method)).toEqual(['ACK']);
    expect(log.events).toEqual(['failed:401']);
    expect(log.ended).toEqual([{ cause: 'rejected', status: 401, reason: 'Unauthorized' }]);
  });

  it('fails with the final status of a refusal (486 Busy Here)', async () => {
    const h = await uaHarness();
    const { invite, log } = await dial(h);
    await h.deliver(trunkReply(invite, 180, { tag: 'tr1' }), TRUNK);
    await h.deliver(trunkReply(invite, 486, { tag: 'tr1' }), TRUNK);
    expect(log.events).toEqual(['progress:180', 'failed:486']);
    expect(log.ended).toEqual([{ cause: 'rejected', status: 486, reason: 'Busy Here' }]);
    expect(h.ua.dialogs.size).toBe(0);
    expect(h.ua.size).toBe(0);
  });

  it('holds its CANCEL until a provisional arrives (§9.1), then fails 487 with cause cancel', async () => {
    const h = await uaHarness();
    const { call, invite, log } = await dial(h);
    expect(call.cancel()).toBe(true);
    expect(requests(h)).toEqual([]);
    await h.deliver(trunkReply(invite, 180, { tag: 'tr1' }), TRUNK);
    const [cancel] = requests(h);
    expect(cancel!.method).toBe('CANCEL');
    expect(cancel!.topVia().params.get('branch')).toBe(invite.topVia().params.get('branch'));
    expect(log.events).toEqual([]);
    await h.deliver(trunkReply(invite, 487, { tag: 'tr1' }), TRUNK);
    expect(log.events).toEqual(['failed:487']);
    expect(log.ended[0]!.cause).toBe('cancel');
  });

  it('CANCELs when ringTimeoutMs passes and reports 408 with cause timeout', async () => {
    const h = await uaHarness();
    const { invite, log } = await dial(h, { ringTimeoutMs: 30_000 });
    await h.deliver(trunkReply(invite, 180, { tag: 'tr1' }), TRUNK);
    await h.advance(29_999);
    expect(requests(h)).toEqual([]);
    await h.advance(1);
    expect(requests(h).map((r) => r.method)).toEqual(['CANCEL']);
    await h.deliver(trunkReply(invite, 487, { tag: 'tr1' }), TRUNK);
    expect(log.events).toEqual(['progress:180', 'failed:408']);
    expect(log.ended[0]).toMatchObject({ cause: 'timeout', status: 408 });
  });

  it('fails 408 when nothing at all answers (Timer B)', async () => {
    const h = await uaHarness();
    const { log } = await dial(h);
    await h.advance(32_000);
    expect(log.events).toEqual(['failed:408']);
    expect(log.ended[0]!.cause).toBe('timeout');
  });

  it('ACKs and BYEs a second fork that answers after the first (§13.2.2.4)', async () => {
    const h = await uaHarness();
    const { call, invite, log } = await dial(h);
    await h.deliver(trunkReply(invite, 180, { tag: 'forkA' }), TRUNK);
    await h.deliver(trunkReply(invite, 180, { tag: 'forkB' }), TRUNK);
    await h.deliver(trunkReply(invite, 200, { tag: 'forkA', sdp: SDP_OFFER }), TRUNK);
    await h.deliver(trunkReply(invite, 200, { tag: 'forkB', sdp: SDP_OFFER }), TRUNK);
    const sent = requests(h).map((r) => `${r.method}:${r.to().params.get('tag')}`);
    expect(sent).toEqual(['ACK:forkA', 'ACK:forkB', 'BYE:forkB']);
    expect(log.events).toEqual(['progress:180', 'progress:180', 'answered+sdp']);
    expect(call.dialog!.id.remoteTag).toBe('forkA');
    expect(h.ua.dialogs.size).toBe(1);
  });

  it('ACKs and BYEs a 200 that crossed its CANCEL', async () => {
    const h = await uaHarness();
    const { call, invite, log } = await dial(h);
    await h.deliver(trunkReply(invite, 180, { tag: 'tr1' }), TRUNK);
    call.cancel();
    h.take();
    await h.deliver(trunkReply(invite, 200, { tag: 'tr1', sdp: SDP_OFFER }), TRUNK);
    expect(requests(h).map((r) => r.method)).toEqual(['ACK', 'BYE']);
    expect(log.events).toEqual(['progress:180', 'failed:487']);
    expect(log.ended[0]!.cause).toBe('cancel');
  });

  it('resolves a host name target, and fails 503 when it cannot', async () => {
    const h = await uaHarness();
    const ok = await dial(h, { target: 'sip:+15559990000@trunk.example.net:5080;transport=tcp' });
    expect(h.udp.sent.at(-1)!.to).toEqual({ transport: 'TCP', address: '198.51.100.7', port: 5080 });
    expect(ok.invite.topVia().transport).toBe('TCP');
    const bad = await dial(h, { target: 'sip:bob@unknown.example.net' });
    expect(bad.log.events).toEqual(['failed:503']);
    expect(bad.log.ended[0]!.cause).toBe('failed');
  });

  it('waits 2.1-4 s after a 491 to its re-INVITE, as the Call-ID owner (§14.1)', async () => {
    const h = await uaHarness({ random: () => 0.5 });
    const { call, invite } = await dial(h);
    await h.deliver(trunkReply(invite, 200, { tag: 'tr1', sdp: SDP_OFFER }), TRUNK);
    h.take();
    const result = call.reInvite(SDP_ANSWER);
    await h.flush();
    const [re] = requests(h);
    await h.deliver(trunkReply(re!, 491), TRUNK);
    h.take();
    // 2100 + floor(0.5 * 191) * 10 = 3050 ms
    await h.advance(3040);
    expect(requests(h)).toEqual([]);
    await h.advance(10);
    const [again] = requests(h);
    expect(again!.method).toBe('INVITE');
    await h.deliver(trunkReply(again!, 200, { sdp: SDP_OFFER }), TRUNK);
    expect(await result).toMatchObject({ ok: true, sdp: SDP_OFFER });
  });
});
