// Requests inside an established call, both ways: re-INVITE (hold), glare (§14),
// INFO DTMF, REFER with its NOTIFYs (RFC 3515), CSeq order, and what ending a call
// does to what is still pending.
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.js';
import { createResponse } from '../message/response.js';
import { establishedCall, phoneInDialog, SDP_ANSWER, SDP_OFFER, sipText, uaHarness, withDirection, type UaHarness } from '../../test/helpers/sip-ua.js';
import type { IncomingOffer } from './offer-exchange.js';
import type { IncomingRefer, ReferProgress } from './refer-exchange.js';

const responses = (h: UaHarness): SipResponse[] => h.take().flatMap((w) => (w.msg.isRequest ? [] : [w.msg]));
const requests = (h: UaHarness): SipRequest[] => h.take().flatMap((w) => (w.msg.isRequest ? [w.msg] : []));

/** The phone's answer to a request we sent. */
function reply(req: SipRequest, status: number, body = '', extra: [string, string][] = []): string {
  const res = createResponse(req, status, {
    headers: [['Contact', '<sip:alice@203.0.113.5:5062>'], ...extra],
    ...(body ? { body: Buffer.from(body), contentType: 'application/sdp' } : {}),
  });
  return res.toString();
}

describe('re-INVITE from the phone', () => {
  it('hands a hold offer to the application and sends its answer, resent until the ACK', async () => {
    const h = await uaHarness();
    const { call, tag } = await establishedCall(h);
    const offers: IncomingOffer[] = [];
    call.on('offer', (o) => offers.push(o));
    const hold = withDirection(SDP_OFFER, 'sendonly');
    await h.deliver(phoneInDialog('INVITE', { toTag: tag, cseq: 2, branch: 'z9hG4bK-re1', body: hold }));
    expect(offers).toHaveLength(1);
    expect(offers[0]!.hold).toBe(true);
    expect(offers[0]!.sdp).toBe(hold);
    expect(offers[0]!.accept(withDirection(SDP_ANSWER, 'recvonly'))).toBe(true);
    const [ok] = responses(h);
    expect(ok!.status).toBe(200);
    expect(ok!.cseq()).toEqual({ seq: 2, method: 'INVITE' });
    expect(ok!.body.toString()).toContain('a=recvonly');
    expect(ok!.get('contact')).toBe('<sip:192.0.2.1:5060>');
    await h.advance(600);
    expect(responses(h).map((r) => r.status)).toEqual([200]);
    await h.deliver(phoneInDialog('ACK', { toTag: tag, cseq: 2, branch: 'z9hG4bK-ack2' }));
    await h.advance(60_000);
    expect(responses(h)).toEqual([]);
    expect(call.state).toBe('confirmed');
  });

  it('is refused 488 when nobody listens for offers, and the call goes on', async () => {
    const h = await uaHarness();
    const { call, tag } = await establishedCall(h);
    await h.deliver(phoneInDialog('INVITE', { toTag: tag, cseq: 2, branch: 'z9hG4bK-re1', body: SDP_OFFER }));
    expect(responses(h).map((r) => r.status)).toEqual([488]);
    expect(call.state).toBe('confirmed');
  });

  it('gets 500 with Retry-After 0-10 while an earlier one is unanswered (§14.2)', async () => {
    const h = await uaHarness({ random: () => 0.99 });
    const { call, tag } = await establishedCall(h);
    call.on('offer', () => undefined);
    await h.deliver(phoneInDialog('INVITE', { toTag: tag, cseq: 2, branch: 'z9hG4bK-re1', body: SDP_OFFER }));
    await h.deliver(phoneInDialog('INVITE', { toTag: tag, cseq: 3, branch: 'z9hG4bK-re2', body: SDP_OFFER }));
    const [busy] = responses(h);
    expect(busy!.status).toBe(500);
    expect(busy!.get('retry-after')).toBe('10');
  });

  it('gets 487 when the call ends before the application answered it (§15.1.2)', async () => {
    const h = await uaHarness();
    const { call, tag } = await establishedCall(h);
    call.on('offer', () => undefined);
    await h.deliver(phoneInDialog('INVITE', { toTag: tag, cseq: 2, branch: 'z9hG4bK-re1', body: SDP_OFFER }));
    call.bye();
    const sent = h.take().map((w) => (w.msg.isRequest ? w.msg.method : `${w.msg.status} ${w.msg.cseq().method}`));
    expect(sent).toEqual(['487 INVITE', 'BYE']);
  });

  it('rejects a request whose CSeq is not above the last one with 500 (§12.2.2)', async () => {
    const h = await uaHarness();
    const { tag } = await establishedCall(h);
    await h.deliver(phoneInDialog('INFO', { toTag: tag, cseq: 5, branch: 'z9hG4bK-info5' }));
    await h.deliver(phoneInDialog('INFO', { toTag: tag, cseq: 4, branch: 'z9hG4bK-info4' }));
    expect(responses(h).map((r) => r.status)).toEqual([200, 500]);
  });
});

describe('our re-INVITE', () => {
  it('puts the phone on hold and ACKs its answer', async () => {
    const h = await uaHarness();
    const { call, tag } = await establishedCall(h);
    const result = call.reInvite(withDirection(SDP_ANSWER, 'sendonly'));
    await h.flush();
    const [inv] = requests(h);
    expect(inv!.method).toBe('INVITE');
    expect(inv!.uri).toBe('sip:alice@203.0.113.5:5062');
    expect(inv!.body.toString()).toContain('a=sendonly');
    expect(inv!.from().params.get('tag')).toBe(tag);
    await h.deliver(reply(inv!, 200, withDirection(SDP_OFFER, 'recvonly')));
    const r = await result;
    expect(r.ok && r.sdp).toContain('a=recvonly');
    const [ack] = requests(h);
    expect(ack!.method).toBe('ACK');
    expect(ack!.cseq()).toEqual({ seq: inv!.cseq().seq, method: 'ACK' });
  });

  it('answers the phone\'s crossing re-INVITE 491, and after its own 491 waits 0-2 s (not the Call-ID owner) and tries again', async () => {
    const h = await uaHarness({ random: () => 0.5 });
    const { call, tag } = await establishedCall(h);
    call.on('offer', (o) => o.accept(SDP_ANSWER));
    const result = call.reInvite(SDP_ANSWER);
    await h.flush();
    const [ours] = requests(h);
    // Glare: the phone sent its own re-INVITE at the same time.
    await h.deliver(phoneInDialog('INVITE', { toTag: tag, cseq: 2, branch: 'z9hG4bK-glare', body: SDP_OFFER }));
    expect(responses(h).map((r) => r.status)).toEqual([491]);
    await h.deliver(reply(ours!, 491));
    expect(requests(h).map((r) => r.method)).toEqual(['ACK']); // the transaction ACKs the 491
    // §14.1: not the owner of the Call-ID → 0 to 2 s; random 0.5 → 1000 ms.
    await h.advance(990);
    expect(requests(h)).toEqual([]);
    await h.advance(10);
    const [again] = requests(h);
    expect(again!.method).toBe('INVITE');
    expect(again!.cseq().seq).toBe(ours!.cseq().seq + 1);
    await h.deliver(reply(again!, 200, SDP_OFFER));
    expect((await result).ok).toBe(true);
  });

  it('waits while the phone\'s re-INVITE is unanswered, then goes', async () => {
    const h = await uaHarness();
    const { call, tag } = await establishedCall(h);
    let pending: IncomingOffer | undefined;
    call.on('offer', (o) => (pending = o));
    await h.deliver(phoneInDialog('INVITE', { toTag: tag, cseq: 2, branch: 'z9hG4bK-re1', body: SDP_OFFER }));
    const result = call.reInvite(SDP_ANSWER);
    await h.flush();
    expect(requests(h)).toEqual([]);
    pending!.accept(SDP_ANSWER);
    await h.deliver(phoneInDialog('ACK', { toTag: tag, cseq: 2, branch: 'z9hG4bK-ack2' }));
    const [inv] = requests(h);
    expect(inv!.method).toBe('INVITE');
    await h.deliver(reply(inv!, 488));
    expect(await result).toMatchObject({ ok: false, status: 488 });
    expect(call.state).toBe('confirmed');
  });

  it('ends the call when the phone says the dialog is gone (481, §12.2.1.2)', async () => {
    const h = await uaHarness();
    const { call } = await establishedCall(h);
    const result = call.reInvite(SDP_ANSWER);
    await h.flush();
    const [inv] = requests(h);
    await h.deliver(reply(inv!, 481));
    expect(await result).toMatchObject({ ok: false, status: 481 });
    expect(call.termination?.cause).toBe('dialog-gone');
  });
});

describe('INFO', () => {
  it('turns dtmf-relay and dtmf bodies into dtmf events, other bodies into info events, all answered 200', async () => {
    const h = await uaHarness();
    const { call, tag } = await establishedCall(h);
    const got: string[] = [];
    call.on('dtmf', (d) => got.push(`${d.digit}/${d.durationMs ?? '-'}`));
    call.on('info', (i) => got.push(`info:${i.contentType}`));
    await h.deliver(phoneInDialog('INFO', { toTag: tag, cseq: 2, branch: 'z9hG4bK-i2', body: 'Signal=5\r\nDuration=160\r\n', type: 'application/dtmf-relay' }));
    await h.deliver(phoneInDialog('INFO', { toTag: tag, cseq: 3, branch: 'z9hG4bK-i3', body: '#', type: 'application/dtmf' }));
    await h.deliver(phoneInDialog('INFO', { toTag: tag, cseq: 4, branch: 'z9hG4bK-i4', body: '<x/>', type: 'application/media_control+xml' }));
    expect(got).toEqual(['5/160', '#/-', 'info:application/media_control+xml']);
    expect(responses(h).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('sends DTMF as dtmf-relay', async () => {
    const h = await uaHarness();
    const { call } = await establishedCall(h);
    const done = call.sendDtmf('7', 200);
    await h.flush();
    const [info] = requests(h);
    expect(info!.method).toBe('INFO');
    expect(info!.contentType()).toBe('application/dtmf-relay');
    expect(info!.body.toString()).toBe('Signal=7\r\nDuration=200\r\n');
    await h.deliver(reply(info!, 200));
    expect((await done).status).toBe(200);
  });
});

describe('REFER received (RFC 3515)', () => {
  it('is accepted with 202, then NOTIFY 100 Trying and, at the end, a terminating NOTIFY', async () => {
    const h = await uaHarness();
    const { call, tag } = await establishedCall(h);
    const refers: IncomingRefer[] = [];
    call.on('refer', (r) => refers.push(r));
    await h.deliver(phoneInDialog('REFER', { toTag: tag, cseq: 2, branch: 'z9hG4bK-ref', extra: ['Refer-To: <sip:bob@example.test>', 'Referred-By: <sip:alice@example.test>'] }));
    expect(refers[0]!.target).toBe('sip:bob@example.test');
    expect(refers[0]!.referredBy).toBe('<sip:alice@example.test>');
    refers[0]!.accept();
    const sent = h.take();
    expect(sent.map((w) => (w.msg.isRequest ? w.msg.method : `${w.msg.status}`))).toEqual(['202', 'NOTIFY']);
    const notify = sent[1]!.msg as SipRequest;
    expect(notify.get('event')).toBe('refer');
    expect(notify.get('subscription-state')).toMatch(/^active;expires=\d+$/);
    expect(notify.get('content-type')).toBe('message/sipfrag;version=2.0');
    expect(notify.body.toString()).toBe('SIP/2.0 100 Trying\r\n');
    await h.deliver(reply(notify, 200));
    expect(call.notifyReferProgress(200)).toBe(true);
    const [last] = requests(h);
    expect(last!.get('subscription-state')).toBe('terminated;reason=noresource');
    expect(last!.body.toString()).toBe('SIP/2.0 200 OK\r\n');
    expect(call.notifyReferProgress(180)).toBe(false);
  });

  it('gives the Replaces of an attended transfer, which finds our other call', async () => {
    const h = await uaHarness();
    const first = await establishedCall(h);
    const other = first.call; // the dialog the transfer replaces
    const replaces = other.replacesValue()!;
    const r = encodeURIComponent(`${replaces.callId};to-tag=${replaces.toTag};from-tag=${replaces.fromTag}`);
    let refer: IncomingRefer | undefined;
    other.on('refer', (x) => (refer = x));
    await h.deliver(phoneInDialog('REFER', { toTag: first.tag, cseq: 2, branch: 'z9hG4bK-ref', extra: [`Refer-To: <sip:carol@example.test?Replaces=${r}>`] }));
    expect(refer!.target).toBe('sip:carol@example.test');
    expect(refer!.replaces).toEqual(replaces);
    // The transfer target would receive this Replaces; here it names a dialog whose
    // local tag is the to-tag, so look it up as the phone would see it.
    expect(h.ua.findDialogForReplaces({ callId: replaces.callId, toTag: replaces.fromTag, fromTag: replaces.toTag, earlyOnly: false })).toBe(other);
    expect(h.ua.findDialogForReplaces('nope;to-tag=a;from-tag=b')).toBeUndefined();
  });

  it('is refused 400 without exactly one Refer-To, and 603 when nobody listens', async () => {
    const h = await uaHarness();
    const { tag } = await establishedCall(h);
    await h.deliver(phoneInDialog('REFER', { toTag: tag, cseq: 2, branch: 'z9hG4bK-r1' }));
    await h.deliver(phoneInDialog('REFER', { toTag: tag, cseq: 3, branch: 'z9hG4bK-r2', extra: ['Refer-To: <sip:bob@example.test>'] }));
    expect(responses(h).map((r) => r.status)).toEqual([400, 603]);
  });
});

describe('REFER sent', () => {
  it('reports each NOTIFY as referProgress, the last one final; a NOTIFY for no subscription gets 481', async () => {
    const h = await uaHarness();
    const { call, tag } = await establishedCall(h);
    const progress: ReferProgress[] = [];
    call.on('referProgress', (p) => progress.push(p));
    const result = call.refer('sip:bob@example.test');
    await h.flush();
    const [refer] = requests(h);
    expect(refer!.get('refer-to')).toBe('<sip:bob@example.test>');
    await h.deliver(createResponse(refer!, 202).toString());
    expect(await result).toMatchObject({ ok: true, status: 202, id: String(refer!.cseq().seq) });
    const notify = (cseq: number, frag: string, state: string, event = 'refer'): string =>
      sipText(
        [
          'NOTIFY sip:192.0.2.1:5060 SIP/2.0',
          `Via: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bK-n${cseq};rport`,
          'Max-Forwards: 70',
          'From: "Alice" <sip:alice@example.test>;tag=ph1',
          `To: <sip:+15550001111@example.test>;tag=${tag}`,
          'Call-ID: call-1',
          `CSeq: ${cseq} NOTIFY`,
          `Event: ${event}`,
          `Subscription-State: ${state}`,
          'Content-Type: message/sipfrag;version=2.0',
        ],
        frag,
      );
    await h.deliver(notify(2, 'SIP/2.0 100 Trying\r\n', 'active;expires=60'));
    await h.deliver(notify(3, 'SIP/2.0 180 Ringing\r\n', 'active;expires=60'));
    await h.deliver(notify(4, 'SIP/2.0 200 OK\r\n', 'terminated;reason=noresource'));
    await h.deliver(notify(5, 'SIP/2.0 200 OK\r\n', 'terminated', 'refer;id=999'));
    await h.deliver(notify(6, 'x', 'active', 'presence'));
    expect(progress.map((p) => `${p.status}${p.final ? '!' : ''}`)).toEqual(['100', '180', '200!']);
    expect(responses(h).map((r) => r.status)).toEqual([200, 200, 200, 481, 489]);
  });

  it('puts the Replaces of another call into Refer-To for an attended transfer', async () => {
    const h = await uaHarness();
    const { call } = await establishedCall(h);
    void call.refer('sip:carol@example.test', { replaces: { callId: 'c2@x', toTag: 't2', fromTag: 'f2', earlyOnly: false } });
    await h.flush();
    const [refer] = requests(h);
    expect(refer!.get('refer-to')).toBe('<sip:carol@example.test?Replaces=c2%40x%3Bto-tag%3Dt2%3Bfrom-tag%3Df2>');
  });
});
