// Inbound INVITE sessions over a fake transport and a manual clock: what the caller
// receives for each thing the application does, and what the caller's CANCEL, BYE,
// silence and odd requests make of the call.
import { describe, expect, it } from 'vitest';
import { answerChallenge, DigestClientState } from '../auth/digest-client.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { establishedCall, PHONE, phoneInDialog, phoneInvite, SDP_ANSWER, SDP_OFFER, sipText, uaHarness, type UaHarness } from '../../test/helpers/sip-ua.js';
import type { InboundCall } from './inbound-call.js';
import type { Termination } from './session-types.js';

const responses = (h: UaHarness): SipResponse[] => h.take().flatMap((w) => (w.msg.isRequest ? [] : [w.msg]));
const requests = (h: UaHarness): SipRequest[] => h.take().flatMap((w) => (w.msg.isRequest ? [w.msg] : []));

function track(call: InboundCall): { events: string[]; ended: Termination[] } {
  const events: string[] = [];
  const ended: Termination[] = [];
  call.on('cancelled', () => events.push('cancelled'));
  call.on('confirmed', (e) => events.push(`confirmed:${e.sdp === undefined ? 'no-sdp' : 'sdp'}`));
  call.on('failed', (e) => events.push(`failed:${e.status}`));
  call.on('terminated', (t) => ended.push(t));
  return { events, ended };
}

describe('an inbound call answered', () => {
  it('sends 100, 180 and a 200 with Contact, Record-Route and the SDP, all with one To tag', async () => {
    const h = await uaHarness();
    await h.deliver(phoneInvite());
    const call = h.calls[0]!;
    expect(call.offer).toBe(SDP_OFFER);
    expect(call.from.uri).toBe('sip:alice@example.test');
    expect(call.tenantId).toBe('tenant-1');
    call.trying();
    call.ringing();
    expect(call.state).toBe('early');
    call.answer(SDP_ANSWER);
    const [trying, ringing, ok] = responses(h);
    expect(trying!.status).toBe(100);
    expect(trying!.to().params.has('tag')).toBe(false);
    expect(ringing!.status).toBe(180);
    expect(ok!.status).toBe(200);
    expect(ok!.to().params.get('tag')).toBe(ringing!.to().params.get('tag'));
    expect(ok!.get('contact')).toBe('<sip:192.0.2.1:5060>');
    expect(ok!.getAll('record-route')).toEqual(['<sip:proxy.example.test;lr>']);
    expect(ok!.get('allow')).toContain('REFER');
    expect(ok!.contentType()).toBe('application/sdp');
    expect(ok!.body.toString()).toBe(SDP_ANSWER);
    expect(call.state).toBe('answered');
  });

  it('resends the 200 at T1, 2T1, 4T1 ... until the ACK, then confirms and stops (§13.3.1.4)', async () => {
    const h = await uaHarness();
    await h.deliver(phoneInvite());
    const call = h.calls[0]!;
    const t = track(call);
    call.answer(SDP_ANSWER);
    const tag = responses(h)[0]!.to().params.get('tag')!;
    const resentAt: number[] = [];
    for (let ms = 0; ms < 4000; ms += 100) {
      await h.advance(100);
      for (const r of responses(h)) if (r.status === 200) resentAt.push(h.clock.now);
    }
    expect(resentAt).toEqual([500, 1500, 3500]);
    await h.deliver(phoneInDialog('ACK', { toTag: tag, cseq: 1, branch: 'z9hG4bK-ack1' }));
    expect(t.events).toEqual(['confirmed:no-sdp']);
    expect(call.state).toBe('confirmed');
    await h.advance(60_000);
    expect(responses(h)).toEqual([]);
  });

  it('sends BYE and reports failed when no ACK comes in 64*T1', async () => {
    const h = await uaHarness();
    await h.deliver(phoneInvite());
    const call = h.calls[0]!;
    const t = track(call);
    call.answer(SDP_ANSWER);
    h.take();
    await h.advance(32_000);
    const bye = h.take().find((w) => w.msg.isRequest && w.msg.method === 'BYE')!;
    expect(bye).toBeDefined();
    expect(bye.to).toEqual(PHONE);
    // Loose routing (§12.2.1.1): the phone's Contact as Request-URI, the route set in Route.
    expect((bye.msg as SipRequest).uri).toBe('sip:alice@203.0.113.5:5062');
    expect((bye.msg as SipRequest).get('route')).toBe('<sip:proxy.example.test;lr>');
    expect(t.events).toEqual(['failed:408']);
    expect(t.ended).toEqual([{ cause: 'timeout', status: 408, reason: 'ACK Timeout' }]);
    expect(h.ua.size).toBe(0);
    expect(h.ua.dialogs.size).toBe(0);
  });

  it('waits for the ACK before its BYE when hung up right after answering (§15)', async () => {
    const h = await uaHarness();
    await h.deliver(phoneInvite());
    const call = h.calls[0]!;
    call.answer(SDP_ANSWER);
    const tag = responses(h)[0]!.to().params.get('tag')!;
    call.bye();
    expect(requests(h)).toEqual([]);
    await h.deliver(phoneInDialog('ACK', { toTag: tag, cseq: 1, branch: 'z9hG4bK-ack1' }));
    const [bye] = requests(h);
    expect(bye!.method).toBe('BYE');
    expect(bye!.from().params.get('tag')).toBe(tag);
    expect(bye!.to().params.get('tag')).toBe('ph1');
    expect(call.termination?.cause).toBe('bye-local');
  });

  it('answers the phone\'s BYE with 200 and ends bye-remote; a BYE for no dialog gets 481', async () => {
    const h = await uaHarness();
    const { call, tag } = await establishedCall(h);
    const t = track(call);
    await h.deliver(phoneInDialog('BYE', { toTag: tag, cseq: 2, branch: 'z9hG4bK-bye1' }));
    expect(responses(h).map((r) => `${r.status} ${r.cseq().method}`)).toEqual(['200 BYE']);
    expect(t.ended).toEqual([{ cause: 'bye-remote' }]);
    await h.deliver(phoneInDialog('BYE', { toTag: tag, cseq: 3, branch: 'z9hG4bK-bye2' }));
    expect(responses(h).map((r) => r.status)).toEqual([481]);
    await h.deliver(phoneInDialog('BYE', { toTag: 'nobody', cseq: 1, branch: 'z9hG4bK-bye3', callId: 'other' }));
    expect(responses(h).map((r) => r.status)).toEqual([481]);
  });
});

describe('an inbound call not answered', () => {
  it('gets 487 on CANCEL (and the CANCEL its 200); answering afterwards does nothing', async () => {
    const h = await uaHarness();
    await h.deliver(phoneInvite());
    const call = h.calls[0]!;
    const t = track(call);
    call.ringing();
    h.take();
    await h.deliver(
      sipText([
        'CANCEL sip:+15550001111@192.0.2.1 SIP/2.0',
        'Via: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bK-inv1;rport',
        'Max-Forwards: 70',
        'From: "Alice" <sip:alice@example.test>;tag=ph1',
        'To: <sip:+15550001111@example.test>',
        'Call-ID: call-1',
        'CSeq: 1 CANCEL',
      ]),
    );
    expect(responses(h).map((r) => `${r.status} ${r.cseq().method}`)).toEqual(['200 CANCEL', '487 INVITE']);
    expect(t.events).toEqual(['cancelled']);
    expect(t.ended).toEqual([{ cause: 'cancel', status: 487 }]);
    expect(call.answer(SDP_ANSWER)).toBe(false);
    expect(responses(h)).toEqual([]);
    expect(h.ua.dialogs.size).toBe(0);
  });

  it('rejects with the status, reason and headers given', async () => {
    const h = await uaHarness();
    await h.deliver(phoneInvite());
    const call = h.calls[0]!;
    const t = track(call);
    call.reject(486, { reason: 'Busy Here', headers: [['Retry-After', '30']] });
    const [busy] = responses(h);
    expect(busy!.status).toBe(486);
    expect(busy!.get('retry-after')).toBe('30');
    expect(t.ended).toEqual([{ cause: 'rejected', status: 486, reason: 'Busy Here' }]);
    expect(() => call.reject(200)).toThrow(RangeError);
  });

  it('ends on the caller\'s BYE on the early dialog: 200 for the BYE, 487 for the INVITE', async () => {
    const h = await uaHarness();
    await h.deliver(phoneInvite());
    const call = h.calls[0]!;
    call.ringing();
    const tag = responses(h)[0]!.to().params.get('tag')!;
    await h.deliver(phoneInDialog('BYE', { toTag: tag, cseq: 2, branch: 'z9hG4bK-bye1' }));
    expect(responses(h).map((r) => `${r.status} ${r.cseq().method}`)).toEqual(['200 BYE', '487 INVITE']);
    expect(call.termination?.cause).toBe('bye-remote');
  });

  it('honours Expires with 487 (§13.3.1), and otherwise gives the application inviteTimeoutMs', async () => {
    const h = await uaHarness({ limits: { inviteTimeoutMs: 60_000 } });
    await h.deliver(phoneInvite({ extra: ['Expires: 20'] }));
    await h.advance(19_000);
    expect(responses(h)).toEqual([]);
    await h.advance(1_000);
    expect(responses(h).map((r) => r.status)).toEqual([487]);
    expect(h.calls[0]!.termination).toEqual({ cause: 'timeout', status: 487 });
    await h.deliver(phoneInvite({ callId: 'call-2', branch: 'z9hG4bK-inv2' }));
    await h.advance(60_000);
    // (the 487 of the first call is resent meanwhile: nobody ACKs it here)
    expect(responses(h).filter((r) => r.callId() === 'call-2').map((r) => r.status)).toEqual([408]);
  });

  it('refuses a merged request (482), an INVITE without Contact (challenged 407 before anything else), a bad Replaces (400)', async () => {
    const h = await uaHarness();
    await h.deliver(phoneInvite());
    // The same INVITE through another path: same Call-ID, From tag and CSeq, other branch.
    await h.deliver(phoneInvite({ branch: 'z9hG4bK-other-path' }));
    expect(responses(h).map((r) => r.status)).toEqual([482]);
    // Without credentials the caller only learns it must authenticate (RFC 4475 inv2543).
    await h.deliver(phoneInvite({ callId: 'call-2', branch: 'z9hG4bK-inv2', contact: false }));
    await new Promise((r) => setImmediate(r));
    expect(responses(h).map((r) => r.status)).toEqual([407]);
    await h.deliver(phoneInvite({ callId: 'call-3', branch: 'z9hG4bK-inv3', extra: ['Replaces: abc;to-tag=1'] }));
    expect(responses(h).map((r) => r.status)).toEqual([400]);
    expect(h.calls).toHaveLength(1);
  });

  it('answers 480 when nobody handles INVITEs, and the next INVITE of a call is a new call', async () => {
    const h = await uaHarness();
    h.ua.onInvite = undefined;
    await h.deliver(phoneInvite());
    expect(responses(h).map((r) => r.status)).toEqual([480]);
    expect(h.ua.size).toBe(0);
  });
});

describe('authentication of an inbound INVITE', () => {
  it('challenges with 407, then accepts the digest answer of the next INVITE', async () => {
    const h = await uaHarness({ users: { alice: 'alice-pw' } });
    await h.deliver(phoneInvite());
    const first = h.calls[0]!;
    expect(await first.authenticate()).toEqual({ ok: false, status: 407 });
    const challenge = responses(h)[0]!;
    expect(challenge.status).toBe(407);
    expect(challenge.get('proxy-authenticate')).toMatch(/^Digest realm="switchboard.test"/);
    expect(first.termination?.cause).toBe('rejected');

    const again = parseMessage(Buffer.from(phoneInvite({ branch: 'z9hG4bK-inv2', cseq: 2 }))) as SipRequest;
    const [answer] = answerChallenge(challenge, again, { username: 'alice', password: 'alice-pw' }, new DigestClientState());
    await h.deliver(phoneInvite({ branch: 'z9hG4bK-inv2', cseq: 2, extra: [`${answer!.header}: ${answer!.value}`] }));
    const second = h.calls[1]!;
    expect(await second.authenticate()).toEqual({ ok: true, username: 'alice', tenantId: 'tenant-1' });
    expect(second.username).toBe('alice');
    expect(responses(h)).toEqual([]);
  });
});
