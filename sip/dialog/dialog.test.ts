// Dialogs (RFC 3261 §12): what goes on the wire for requests sent in a dialog, and how
// the dialog reacts to what the peer sends.
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { createResponse } from '../message/response.js';
import { SipError } from '../message/validate.js';
import { Dialog, DialogError, type DialogEnv } from './dialog.js';
import { copyRecordRoute } from './route-set.js';

function parse(lines: string[]): SipRequest | SipResponse {
  return parseMessage(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
}
const req = (lines: string[]): SipRequest => parse(lines) as SipRequest;
const res = (lines: string[]): SipResponse => parse(lines) as SipResponse;
const text = (lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;

/** Branches z9hG4bK-b1, z9hG4bK-b2, ... so the wire text is predictable. */
function env(overrides: Partial<DialogEnv> = {}): DialogEnv {
  let n = 0;
  return { newBranch: () => `z9hG4bK-b${++n}`, sentBy: { transport: 'UDP', host: '198.51.100.1', port: 5060 }, ...overrides };
}

// ── The UAS side: Alice calls us through two record-routing proxies ──────────────────
interface InviteShape {
  recordRoutes?: string[];
  uri?: string;
  via?: string;
  contact?: string;
}

function incomingInvite({
  recordRoutes = ['Record-Route: <sip:p2.example.com;lr>', 'Record-Route: <sip:p1.example.com;lr;ftag=a1>'],
  uri = 'sip:bob@198.51.100.1:5060',
  via = 'UDP',
  contact = '<sip:alice@192.0.2.10:5062;transport=udp>',
}: InviteShape = {}): SipRequest {
  return req([
    `INVITE ${uri} SIP/2.0`,
    `Via: SIP/2.0/${via} p2.example.com;branch=z9hG4bKp2`,
    'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1',
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa1',
    'Max-Forwards: 68',
    ...recordRoutes,
    'From: "Alice" <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>',
    'Call-ID: call-uas@192.0.2.10',
    'CSeq: 10 INVITE',
    `Contact: ${contact}`,
    'Content-Length: 0',
  ]);
}

function answer(invite: SipRequest, status = 200): SipResponse {
  const r = createResponse(invite, status, { toTag: 'b1', headers: [['Contact', '<sip:bob@198.51.100.1:5060>']] });
  copyRecordRoute(invite, r);
  return r;
}

/** A request Alice sends in the dialog (she is the UAC of it, so her tag is in From). */
function fromAlice(method: string, cseq: number, extra: string[] = []): SipRequest {
  return req([
    `${method} sip:bob@198.51.100.1:5060 SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa' + cseq,
    'Max-Forwards: 70',
    'Route: <sip:p1.example.com;lr;ftag=a1>, <sip:p2.example.com;lr>',
    'From: "Alice" <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>;tag=b1',
    'Call-ID: call-uas@192.0.2.10',
    `CSeq: ${cseq} ${method}`,
    ...extra,
    'Content-Length: 0',
  ]);
}

// ── The UAC side: we call Carol; the 2xx comes back through two proxies ──────────────
function outgoingInvite(uri = 'sip:carol@example.net', transport = 'UDP'): SipRequest {
  return req([
    `INVITE ${uri} SIP/2.0`,
    `Via: SIP/2.0/${transport} 198.51.100.1:5060;branch=z9hG4bK-inv1;rport`,
    'Max-Forwards: 70',
    'From: <sip:sb@example.org>;tag=u1',
    'To: "Carol" <sip:carol@example.net>',
    'Call-ID: call-uac@198.51.100.1',
    'CSeq: 314 INVITE',
    'Contact: <sip:sb@198.51.100.1:5060>',
    'Content-Length: 0',
  ]);
}

function carolAnswers(status = 200, toTag = 'c1', contact = '<sip:carol@203.0.113.7:5070>', recordRoute = '<sip:p2.example.net;lr>, <sip:p1.example.org;lr>', cseq = '314 INVITE'): SipResponse {
  return res([
    `SIP/2.0 ${status} ${status === 180 ? 'Ringing' : 'OK'}`,
    'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-inv1;rport=5060;received=198.51.100.1',
    ...(recordRoute ? [`Record-Route: ${recordRoute}`] : []),
    'From: <sip:sb@example.org>;tag=u1',
    `To: "Carol" <sip:carol@example.net>${toTag ? `;tag=${toTag}` : ''}`,
    'Call-ID: call-uac@198.51.100.1',
    `CSeq: ${cseq}`,
    ...(contact ? [`Contact: ${contact}`] : []),
    'Content-Length: 0',
  ]);
}

/** A request Carol sends us in the dialog. */
function fromCarol(method: string, cseq: number, extra: string[] = []): SipRequest {
  return req([
    `${method} sip:sb@198.51.100.1:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 203.0.113.7:5070;branch=z9hG4bKc${cseq}`,
    'Max-Forwards: 70',
    'From: "Carol" <sip:carol@example.net>;tag=c1',
    'To: <sip:sb@example.org>;tag=u1',
    'Call-ID: call-uac@198.51.100.1',
    `CSeq: ${cseq} ${method}`,
    ...extra,
    'Content-Length: 0',
  ]);
}

describe('UAS dialog creation (§12.1.1)', () => {
  it('takes the route set from the request\'s Record-Route in order, and the remote target from its Contact', () => {
    const invite = incomingInvite();
    const ok = answer(invite);
    expect(ok.getAll('record-route')).toEqual(['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr;ftag=a1>']);
    const d = Dialog.fromUasResponse(invite, ok, env());
    expect(d.id).toEqual({ callId: 'call-uas@192.0.2.10', localTag: 'b1', remoteTag: 'a1' });
    expect(d.role).toBe('uas');
    expect(d.state).toBe('confirmed');
    expect(d.routeSet).toEqual(['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr;ftag=a1>']);
    expect(d.remoteTarget).toBe('sip:alice@192.0.2.10:5062;transport=udp');
    expect(d.remoteSeq).toBe(10);
    expect(d.localSeq).toBeUndefined();
    expect(d.localUri).toBe('sip:bob@example.com');
    expect(d.remoteUri).toBe('sip:alice@example.com');
    expect(d.secure).toBe(false);
  });

  it('sends a BYE to the remote target through the route set, tags swapped, CSeq starting at 1', () => {
    const invite = incomingInvite();
    const d = Dialog.fromUasResponse(invite, answer(invite), env());
    expect(d.createRequest('BYE').toString()).toBe(
      text([
        'BYE sip:alice@192.0.2.10:5062;transport=udp SIP/2.0',
        'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-b1;rport',
        'Max-Forwards: 70',
        'Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr;ftag=a1>',
        'To: "Alice" <sip:alice@example.com>;tag=a1',
        'From: <sip:bob@example.com>;tag=b1',
        'Call-ID: call-uas@192.0.2.10',
        'CSeq: 1 BYE',
        'Contact: <sip:bob@198.51.100.1:5060>',
        'Content-Length: 0',
      ]),
    );
    expect(d.localSeq).toBe(1);
  });

  it('an empty route set: no Route header, Request-URI = remote target', () => {
    const invite = incomingInvite({ recordRoutes: [] });
    const d = Dialog.fromUasResponse(invite, answer(invite), env({ initialCseq: () => 7000 }));
    const bye = d.createRequest('BYE');
    expect(bye.uri).toBe('sip:alice@192.0.2.10:5062;transport=udp');
    expect(bye.has('route')).toBe(false);
    expect(bye.get('cseq')).toBe('7000 BYE');
  });

  it('a 180 with a To tag creates an early dialog that our 2xx confirms', () => {
    const invite = incomingInvite();
    const ringing = answer(invite, 180);
    const d = Dialog.fromUasResponse(invite, ringing, env());
    expect(d.state).toBe('early');
    d.confirm(answer(invite, 200));
    expect(d.state).toBe('confirmed');
    expect(d.routeSet).toEqual(['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr;ftag=a1>']);
  });

  it('refuses BYE from the callee on an early dialog (§15), but allows UPDATE', () => {
    const invite = incomingInvite();
    const d = Dialog.fromUasResponse(invite, answer(invite, 183), env());
    expect(() => d.createRequest('BYE')).toThrow(DialogError);
    expect(d.localSeq).toBeUndefined();
    expect(d.createRequest('UPDATE').get('cseq')).toBe('1 UPDATE');
  });

  it('answers 400 when the INVITE has no Contact to be the remote target', () => {
    const invite = req([
      'INVITE sip:bob@198.51.100.1 SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa1',
      'From: <sip:alice@example.com>;tag=a1',
      'To: <sip:bob@example.com>',
      'Call-ID: no-contact',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
    ]);
    const err = (() => {
      try {
        Dialog.fromUasResponse(invite, answer(invite), env());
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SipError);
    expect((err as SipError).status).toBe(400);
  });

  it('is secure only for a SIPS Request-URI that arrived over TLS', () => {
    const tls = incomingInvite({ recordRoutes: [], uri: 'sips:bob@198.51.100.1:5061', via: 'TLS' });
    expect(Dialog.fromUasResponse(tls, answer(tls), env()).secure).toBe(true);
    const udp = incomingInvite({ recordRoutes: [], uri: 'sips:bob@198.51.100.1:5061', via: 'UDP' });
    expect(Dialog.fromUasResponse(udp, answer(udp), env()).secure).toBe(false);
    const sipOverTls = incomingInvite({ recordRoutes: [], uri: 'sip:bob@198.51.100.1:5061', via: 'TLS' });
    expect(Dialog.fromUasResponse(sipOverTls, answer(sipOverTls), env()).secure).toBe(false);
  });
});

describe('UAC dialog creation (§12.1.2)', () => {
  it('takes the route set from the 2xx\'s Record-Route in reverse order, and ACKs with the INVITE\'s CSeq', () => {
    const d = Dialog.fromUacResponse(outgoingInvite(), carolAnswers(), env());
    expect(d.id).toEqual({ callId: 'call-uac@198.51.100.1', localTag: 'u1', remoteTag: 'c1' });
    expect(d.routeSet).toEqual(['<sip:p1.example.org;lr>', '<sip:p2.example.net;lr>']);
    expect(d.localSeq).toBe(314);
    expect(d.remoteSeq).toBeUndefined();
    expect(d.createAck(314).toString()).toBe(
      text([
        'ACK sip:carol@203.0.113.7:5070 SIP/2.0',
        'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-b1;rport',
        'Max-Forwards: 70',
        'Route: <sip:p1.example.org;lr>, <sip:p2.example.net;lr>',
        'To: "Carol" <sip:carol@example.net>;tag=c1',
        'From: <sip:sb@example.org>;tag=u1',
        'Call-ID: call-uac@198.51.100.1',
        'CSeq: 314 ACK',
        'Contact: <sip:sb@198.51.100.1:5060>',
        'Content-Length: 0',
      ]),
    );
    expect(d.localSeq).toBe(314);
  });

  it('numbers each new request one above the last, with a fresh branch each; ACK reuses the INVITE number', () => {
    const d = Dialog.fromUacResponse(outgoingInvite(), carolAnswers(), env());
    const info = d.createRequest('INFO', { body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' });
    const reinvite = d.createRequest('INVITE');
    const ack = d.createAck(316);
    const bye = d.createRequest('BYE');
    expect([info, reinvite, ack, bye].map((r) => r.get('cseq'))).toEqual(['315 INFO', '316 INVITE', '316 ACK', '317 BYE']);
    expect([info, reinvite, ack, bye].map((r) => r.topVia().params.get('branch'))).toEqual([
      'z9hG4bK-b1',
      'z9hG4bK-b2',
      'z9hG4bK-b3',
      'z9hG4bK-b4',
    ]);
    expect(info.get('content-type')).toBe('application/dtmf-relay');
    expect(info.toString()).toContain('Content-Length: 24\r\n\r\nSignal=5\r\nDuration=160\r\n');
  });

  it('refuses to make ACK or CANCEL through createRequest, a body without a type, and requests after the end', () => {
    const d = Dialog.fromUacResponse(outgoingInvite(), carolAnswers(), env());
    expect(() => d.createRequest('ACK')).toThrow(DialogError);
    expect(() => d.createRequest('CANCEL')).toThrow(DialogError);
    expect(() => d.createRequest('INFO', { body: 'x' })).toThrow(DialogError);
    expect(d.localSeq).toBe(314);
    d.terminate();
    expect(d.state).toBe('terminated');
    expect(() => d.createRequest('BYE')).toThrow(DialogError);
    // A retransmitted 2xx is still ACKed after the dialog ended.
    expect(d.createAck(314).method).toBe('ACK');
  });

  it('a 180 creates an early dialog; the 2xx confirms it and recomputes route set and target (§13.2.2.4)', () => {
    const invite = outgoingInvite();
    const d = Dialog.fromUacResponse(invite, carolAnswers(180, 'c1', '<sip:carol@10.0.0.7>', '<sip:p1.example.org;lr>'), env());
    expect(d.state).toBe('early');
    expect(d.routeSet).toEqual(['<sip:p1.example.org;lr>']);
    expect(d.createRequest('UPDATE').uri).toBe('sip:carol@10.0.0.7');
    d.confirm(carolAnswers());
    expect(d.state).toBe('confirmed');
    expect(d.routeSet).toEqual(['<sip:p1.example.org;lr>', '<sip:p2.example.net;lr>']);
    expect(d.remoteTarget).toBe('sip:carol@203.0.113.7:5070');
    // "Other pieces of state such as the highest sequence numbers ... are not recomputed."
    expect(d.createRequest('BYE').get('cseq')).toBe('316 BYE');
  });

  it('a 2xx without a To tag (RFC 2543 peer) makes a dialog with a null remote tag, omitted in requests', () => {
    const d = Dialog.fromUacResponse(outgoingInvite(), carolAnswers(200, ''), env());
    expect(d.id.remoteTag).toBe('');
    expect(d.createRequest('BYE').get('to')).toBe('"Carol" <sip:carol@example.net>');
  });

  it('is secure for a SIPS Request-URI sent over TLS', () => {
    const d = Dialog.fromUacResponse(outgoingInvite('sips:carol@example.net', 'TLS'), carolAnswers(), env());
    expect(d.secure).toBe(true);
  });

  it('says which responses create dialogs (§12.1)', () => {
    const invite = outgoingInvite();
    expect(Dialog.createsDialog(invite, carolAnswers(200))).toBe(true);
    expect(Dialog.createsDialog(invite, carolAnswers(180))).toBe(true);
    expect(Dialog.createsDialog(invite, carolAnswers(180, ''))).toBe(false);
    expect(Dialog.createsDialog(invite, carolAnswers(486))).toBe(false);
    const reinvite = Dialog.fromUacResponse(invite, carolAnswers(), env()).createRequest('INVITE');
    expect(Dialog.createsDialog(reinvite, carolAnswers(200, 'c1', undefined, undefined, '315 INVITE'))).toBe(false);
    expect(() => Dialog.fromUacResponse(invite, carolAnswers(180, ''), env())).toThrow(DialogError);
  });
});

describe('routing of requests in a dialog (§12.2.1.1)', () => {
  it('strict routing: the first route becomes the Request-URI and the remote target the last Route (RFC example)', () => {
    const invite = incomingInvite({ recordRoutes: ['Record-Route: <sip:proxy1>,<sip:proxy2>,<sip:proxy3;lr>,<sip:proxy4>'], contact: '<sip:user@remoteua>' });
    const d = Dialog.fromUasResponse(invite, answer(invite), env());
    const bye = d.createRequest('BYE');
    expect(bye.toString().split('\r\n').slice(0, 4)).toEqual([
      'BYE sip:proxy1 SIP/2.0',
      'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-b1;rport',
      'Max-Forwards: 70',
      'Route: <sip:proxy2>, <sip:proxy3;lr>, <sip:proxy4>, <sip:user@remoteua>',
    ]);
  });

  it('strict routing strips the parameters a Request-URI may not carry (§19.1.1: method, headers)', () => {
    const invite = incomingInvite({ recordRoutes: ['Record-Route: <sip:proxy1.example.com;transport=tcp;method=INVITE?subject=x>, <sip:proxy2.example.com;lr>'] });
    const d = Dialog.fromUasResponse(invite, answer(invite), env());
    const bye = d.createRequest('BYE');
    expect(bye.uri).toBe('sip:proxy1.example.com;transport=tcp');
    expect(bye.get('route')).toBe('<sip:proxy2.example.com;lr>, <sip:alice@192.0.2.10:5062;transport=udp>');
  });

  it('loose routing keeps the remote target as Request-URI even when a later hop is strict', () => {
    const invite = incomingInvite({ recordRoutes: ['Record-Route: <sip:proxy3;lr>, <sip:proxy4>'] });
    const d = Dialog.fromUasResponse(invite, answer(invite), env());
    const bye = d.createRequest('BYE');
    expect(bye.uri).toBe('sip:alice@192.0.2.10:5062;transport=udp');
    expect(bye.get('route')).toBe('<sip:proxy3;lr>, <sip:proxy4>');
  });

  it('uses the sent-by it is given, and leaves rport out when told to', () => {
    const invite = incomingInvite({ recordRoutes: [] });
    const d = Dialog.fromUasResponse(invite, answer(invite), env({ sentBy: { transport: 'wss', host: 'df7jal23ls0d.invalid' }, rport: false }));
    expect(d.createRequest('BYE').get('via')).toBe('SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK-b1');
    d.useSentBy({ transport: 'TCP', host: '[2001:db8::1]', port: 5080 });
    expect(d.createRequest('INFO').get('via')).toBe('SIP/2.0/TCP [2001:db8::1]:5080;branch=z9hG4bK-b2');
  });
});

describe('requests from the peer (§12.2.2)', () => {
  it('accepts rising CSeqs (gaps included) and rejects lower or repeated ones with 500', () => {
    const invite = incomingInvite();
    const d = Dialog.fromUasResponse(invite, answer(invite), env());
    expect(d.receiveRequest(fromAlice('INFO', 12))).toBeUndefined();
    expect(d.remoteSeq).toBe(12);
    const lower = d.receiveRequest(fromAlice('INFO', 11));
    expect(lower).toBeInstanceOf(SipError);
    expect([lower!.status, lower!.reason]).toEqual([500, 'Server Internal Error']);
    expect(d.receiveRequest(fromAlice('BYE', 12))?.status).toBe(500);
    expect(d.remoteSeq).toBe(12);
    expect(d.receiveRequest(fromAlice('BYE', 13))).toBeUndefined();
    expect(d.remoteSeq).toBe(13);
  });

  it('does not sequence ACK and CANCEL, which carry the number of their INVITE', () => {
    const invite = incomingInvite();
    const d = Dialog.fromUasResponse(invite, answer(invite), env());
    expect(d.receiveRequest(fromAlice('INFO', 11))).toBeUndefined();
    expect(d.receiveRequest(fromAlice('ACK', 10))).toBeUndefined();
    expect(d.remoteSeq).toBe(11);
  });

  it('takes the first CSeq the peer sends when the remote sequence number is empty (UAC side)', () => {
    const d = Dialog.fromUacResponse(outgoingInvite(), carolAnswers(), env());
    expect(d.receiveRequest(fromCarol('INFO', 1))).toBeUndefined();
    expect(d.remoteSeq).toBe(1);
    expect(d.receiveRequest(fromCarol('INFO', 1))?.status).toBe(500);
  });

  it('answers 481 once the dialog has ended', () => {
    const d = Dialog.fromUacResponse(outgoingInvite(), carolAnswers(), env());
    d.terminate();
    expect(d.receiveRequest(fromCarol('BYE', 1))?.status).toBe(481);
  });
});

describe('target refresh (§12.2, RFC 3311)', () => {
  it('UAS: a re-INVITE\'s Contact becomes the remote target once accepted', () => {
    const invite = incomingInvite();
    const d = Dialog.fromUasResponse(invite, answer(invite), env());
    const reinvite = fromAlice('INVITE', 11, ['Contact: <sip:alice@192.0.2.99:5062>']);
    expect(d.receiveRequest(reinvite)).toBeUndefined();
    expect(d.createRequest('INFO').uri).toBe('sip:alice@192.0.2.10:5062;transport=udp');
    expect(d.applyTargetRefresh(reinvite)).toBe(true);
    expect(d.createRequest('BYE').uri).toBe('sip:alice@192.0.2.99:5062');
    // The route set stays: "Target refresh requests only update the dialog's remote target URI".
    expect(d.routeSet).toEqual(['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr;ftag=a1>']);
  });

  it('UAS: an UPDATE refreshes the target; INFO and a Contact-less UPDATE do not', () => {
    const invite = incomingInvite();
    const d = Dialog.fromUasResponse(invite, answer(invite), env());
    expect(d.applyTargetRefresh(fromAlice('INFO', 11, ['Contact: <sip:elsewhere@192.0.2.50>']))).toBe(false);
    expect(d.applyTargetRefresh(fromAlice('UPDATE', 12))).toBe(false);
    expect(d.remoteTarget).toBe('sip:alice@192.0.2.10:5062;transport=udp');
    expect(d.applyTargetRefresh(fromAlice('UPDATE', 13, ['Contact: <sip:alice@192.0.2.77>']))).toBe(true);
    expect(d.createRequest('BYE').uri).toBe('sip:alice@192.0.2.77');
  });

  it('UAC: the 2xx to our re-INVITE or UPDATE carries the new target; a 488 or our own request does not', () => {
    const d = Dialog.fromUacResponse(outgoingInvite(), carolAnswers(), env());
    const reinvite = d.createRequest('INVITE');
    expect(d.applyTargetRefresh(reinvite)).toBe(false);
    expect(d.applyTargetRefresh(carolAnswers(488, 'c1', '<sip:carol@203.0.113.8>', '', '315 INVITE'))).toBe(false);
    expect(d.applyTargetRefresh(carolAnswers(200, 'c1', '<sip:carol@203.0.113.8>', '', '315 INVITE'))).toBe(true);
    expect(d.createAck(315).uri).toBe('sip:carol@203.0.113.8');
    d.createRequest('UPDATE');
    expect(d.applyTargetRefresh(carolAnswers(200, 'c1', '<sip:carol@203.0.113.9;transport=tcp>', '', '316 UPDATE'))).toBe(true);
    expect(d.createRequest('BYE').uri).toBe('sip:carol@203.0.113.9;transport=tcp');
  });

  it('UAC: a 200 to our BYE does not move the target, nor does a response we sent', () => {
    const d = Dialog.fromUacResponse(outgoingInvite(), carolAnswers(), env());
    expect(d.applyTargetRefresh(carolAnswers(200, 'c1', '<sip:carol@203.0.113.8>', '', '315 BYE'))).toBe(false);
    const carolReinvite = fromCarol('INVITE', 1, ['Contact: <sip:carol@203.0.113.10>']);
    const ourOk = createResponse(carolReinvite, 200, { headers: [['Contact', '<sip:sb@198.51.100.1:5060>']] });
    expect(d.applyTargetRefresh(ourOk)).toBe(false);
    expect(d.applyTargetRefresh(carolReinvite)).toBe(true);
    expect(d.remoteTarget).toBe('sip:carol@203.0.113.10');
  });
});
