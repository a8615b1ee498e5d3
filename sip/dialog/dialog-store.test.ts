// The dialog store: which dialog a message belongs to, forked 2xx responses, early
// dialogs ended by a failure, and 481 for requests that name no dialog we have.
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { createResponse } from '../message/response.js';
import { SipError } from '../message/validate.js';
import { Dialog, type DialogEnv } from './dialog.js';
import { DialogStore } from './dialog-store.js';

function parse(lines: string[]): SipRequest | SipResponse {
  return parseMessage(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
}

function env(): DialogEnv {
  let n = 0;
  return { newBranch: () => `z9hG4bK-s${++n}`, sentBy: { transport: 'UDP', host: '198.51.100.1', port: 5060 } };
}

const INVITE = [
  'INVITE sip:dave@example.net SIP/2.0',
  'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-fork;rport',
  'Max-Forwards: 70',
  'From: <sip:sb@example.org>;tag=local1',
  'To: <sip:dave@example.net>',
  'Call-ID: fork-call',
  'CSeq: 1 INVITE',
  'Contact: <sip:sb@198.51.100.1:5060>',
  'Content-Length: 0',
];
const invite = (): SipRequest => parse(INVITE) as SipRequest;

/** A response from one of the phones the INVITE forked to. */
function fromPhone(status: number, tag: string, host: string): SipResponse {
  return parse([
    `SIP/2.0 ${status} X`,
    'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-fork;rport',
    'From: <sip:sb@example.org>;tag=local1',
    `To: <sip:dave@example.net>${tag ? `;tag=${tag}` : ''}`,
    'Call-ID: fork-call',
    'CSeq: 1 INVITE',
    `Contact: <sip:dave@${host}>`,
    'Content-Length: 0',
  ]) as SipResponse;
}

/** A request a phone sends us in its dialog. */
function phoneRequest(method: string, fromTag: string, toTag: string | undefined, callId = 'fork-call'): SipRequest {
  return parse([
    `${method} sip:sb@198.51.100.1:5060 SIP/2.0`,
    'Via: SIP/2.0/UDP 203.0.113.20;branch=z9hG4bKphone',
    'Max-Forwards: 70',
    `From: <sip:dave@example.net>;tag=${fromTag}`,
    `To: <sip:sb@example.org>${toTag ? `;tag=${toTag}` : ''}`,
    `Call-ID: ${callId}`,
    `CSeq: 5 ${method}`,
    'Content-Length: 0',
  ]) as SipRequest;
}

describe('DialogStore', () => {
  it('forked 2xx responses with different To tags make two dialogs (§13.2.2.4)', () => {
    const store = new DialogStore();
    const inv = invite();
    const desk = store.trackUacResponse(inv, fromPhone(200, 'desk', '203.0.113.20'), env())!;
    const mobile = store.trackUacResponse(inv, fromPhone(200, 'mobile', '203.0.113.30'), env())!;
    expect(store.size).toBe(2);
    expect(desk).not.toBe(mobile);
    expect([desk.id.remoteTag, mobile.id.remoteTag]).toEqual(['desk', 'mobile']);
    expect(desk.createRequest('BYE').uri).toBe('sip:dave@203.0.113.20');
    expect(mobile.createRequest('BYE').uri).toBe('sip:dave@203.0.113.30');
    expect(store.dialogsOf('fork-call', 'local1')).toEqual([desk, mobile]);
    // A retransmitted 2xx finds its dialog rather than making a third.
    expect(store.trackUacResponse(inv, fromPhone(200, 'desk', '203.0.113.20'), env())).toBe(desk);
    expect(store.size).toBe(2);
  });

  it('early dialogs from 180s: the 2xx confirms its own, a final failure ends the others (§12.3)', () => {
    const store = new DialogStore();
    const inv = invite();
    const desk = store.trackUacResponse(inv, fromPhone(180, 'desk', '203.0.113.20'), env())!;
    const mobile = store.trackUacResponse(inv, fromPhone(180, 'mobile', '203.0.113.30'), env())!;
    expect(store.trackUacResponse(inv, fromPhone(100, '', '203.0.113.20'), env())).toBeUndefined();
    expect(store.trackUacResponse(inv, fromPhone(180, 'desk', '203.0.113.20'), env())).toBe(desk);
    expect([desk.state, mobile.state]).toEqual(['early', 'early']);
    expect(store.trackUacResponse(inv, fromPhone(200, 'desk', '203.0.113.21'), env())).toBe(desk);
    expect(desk.state).toBe('confirmed');
    expect(desk.remoteTarget).toBe('sip:dave@203.0.113.21');
    expect(store.terminateEarly('fork-call', 'local1')).toBe(1);
    expect(mobile.state).toBe('terminated');
    expect(store.size).toBe(1);
    expect(store.findForResponse(fromPhone(180, 'mobile', '203.0.113.30'))).toBeUndefined();
  });

  it('a 486 ends every early dialog of the INVITE', () => {
    const store = new DialogStore();
    const inv = invite();
    store.trackUacResponse(inv, fromPhone(180, 'desk', '203.0.113.20'), env());
    store.trackUacResponse(inv, fromPhone(183, 'mobile', '203.0.113.30'), env());
    expect(store.size).toBe(2);
    expect(store.trackUacResponse(inv, fromPhone(486, 'desk', '203.0.113.20'), env())).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('finds a request by (Call-ID, To tag = local, From tag = remote) and a response by the mirror', () => {
    const store = new DialogStore();
    const desk = store.trackUacResponse(invite(), fromPhone(200, 'desk', '203.0.113.20'), env())!;
    expect(store.findForRequest(phoneRequest('BYE', 'desk', 'local1'))).toBe(desk);
    expect(store.findForResponse(fromPhone(200, 'desk', '203.0.113.20'))).toBe(desk);
    // Tags the wrong way round, another Call-ID, or no To tag: not this dialog.
    expect(store.findForRequest(phoneRequest('BYE', 'local1', 'desk'))).toBeUndefined();
    expect(store.findForRequest(phoneRequest('BYE', 'desk', 'local1', 'other-call'))).toBeUndefined();
    expect(store.findForRequest(phoneRequest('INVITE', 'desk', undefined))).toBeUndefined();
  });

  it('resolves in-dialog requests: the dialog, 481 for an unknown one, nothing for a new request', () => {
    const store = new DialogStore();
    const desk = store.trackUacResponse(invite(), fromPhone(200, 'desk', '203.0.113.20'), env())!;
    expect(store.resolve(phoneRequest('INFO', 'desk', 'local1'))).toBe(desk);
    const unknown = store.resolve(phoneRequest('BYE', 'desk', 'gone'));
    expect(unknown).toBeInstanceOf(SipError);
    expect([(unknown as SipError).status, (unknown as SipError).reason]).toEqual([481, 'Call/Transaction Does Not Exist']);
    expect(store.resolve(phoneRequest('INVITE', 'desk', undefined))).toBeUndefined();
  });

  it('forgets a dialog when it terminates, and cannot hold two with one ID', () => {
    const store = new DialogStore();
    const desk = store.trackUacResponse(invite(), fromPhone(200, 'desk', '203.0.113.20'), env())!;
    expect(() => store.add(Dialog.fromUacResponse(invite(), fromPhone(200, 'desk', '203.0.113.20'), env()))).toThrow();
    desk.terminate();
    expect(store.size).toBe(0);
    expect(store.findForRequest(phoneRequest('BYE', 'desk', 'local1'))).toBeUndefined();
    expect((store.resolve(phoneRequest('BYE', 'desk', 'local1')) as SipError).status).toBe(481);
  });

  it('tracks the UAS side: our 180 makes an early dialog, our 200 confirms the same one', () => {
    const store = new DialogStore();
    const incoming = phoneRequest('INVITE', 'caller1', undefined, 'in-call');
    incoming.append('Contact', '<sip:dave@203.0.113.20>');
    const reply = (status: number): SipResponse =>
      createResponse(incoming, status, { toTag: 'ours1', headers: [['Contact', '<sip:sb@198.51.100.1:5060>']] });
    const early = store.trackUasResponse(incoming, reply(180), env())!;
    expect(early.state).toBe('early');
    expect(store.trackUasResponse(incoming, reply(200), env())).toBe(early);
    expect(early.state).toBe('confirmed');
    expect(store.findForRequest(phoneRequest('BYE', 'caller1', 'ours1', 'in-call'))).toBe(early);
    expect(store.size).toBe(1);
  });

  it('a UAS early dialog ends with our final failure', () => {
    const store = new DialogStore();
    const incoming = phoneRequest('INVITE', 'caller1', undefined, 'in-call');
    incoming.append('Contact', '<sip:dave@203.0.113.20>');
    store.trackUasResponse(incoming, createResponse(incoming, 180, { toTag: 'ours1', headers: [['Contact', '<sip:sb@198.51.100.1>']] }), env());
    expect(store.size).toBe(1);
    store.trackUasResponse(incoming, createResponse(incoming, 486, { toTag: 'ours1' }), env());
    expect(store.size).toBe(0);
  });

  it('responses to in-dialog requests never create or end dialogs', () => {
    const store = new DialogStore();
    const desk = store.trackUacResponse(invite(), fromPhone(180, 'desk', '203.0.113.20'), env())!;
    const update = desk.createRequest('UPDATE');
    const rejected = createResponse(update, 491);
    expect(store.trackUacResponse(update, rejected, env())).toBeUndefined();
    expect(desk.state).toBe('early');
    expect(store.size).toBe(1);
  });
});
