// Route sets and Request-URIs (RFC 3261 §12.2.1.1, §19.1.1), and the CANCEL built from
// the request it cancels (§9.1).
import { describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { createCancel } from './cancel-request.js';
import { hasLr, requestTarget, requestUriForm } from './route-set.js';

describe('requestUriForm (§19.1.1 Table 1)', () => {
  it('drops the method parameter and the headers, keeping everything else as written', () => {
    expect(requestUriForm('sip:proxy1;transport=tcp;method=INVITE?subject=x')).toBe('sip:proxy1;transport=tcp');
    expect(requestUriForm('sip:proxy1;METHOD=BYE;lr')).toBe('sip:proxy1;lr');
    expect(requestUriForm('sip:proxy1?to=alice%40atlanta.com')).toBe('sip:proxy1');
    expect(requestUriForm('sip:p.example.com:5070;maddr=192.0.2.1')).toBe('sip:p.example.com:5070;maddr=192.0.2.1');
  });

  it('leaves a ";" or "?" in the user part alone', () => {
    expect(requestUriForm('sip:alice;day=tuesday@atlanta.com;method=REGISTER')).toBe('sip:alice;day=tuesday@atlanta.com');
    expect(requestUriForm('sip:a%20b;x?y@host.example')).toBe('sip:a%20b;x?y@host.example');
  });
});

describe('requestTarget (§12.2.1.1)', () => {
  it('forms the RFC example for a strict first hop', () => {
    const values = ['<sip:proxy1>', '<sip:proxy2>', '<sip:proxy3;lr>', '<sip:proxy4>'];
    expect(requestTarget({ values, firstIsLoose: hasLr(values[0]!) }, 'sip:user@remoteua')).toEqual({
      requestUri: 'sip:proxy1',
      route: '<sip:proxy2>, <sip:proxy3;lr>, <sip:proxy4>, <sip:user@remoteua>',
    });
  });

  it('finds lr among the URI parameters only, not the header parameters', () => {
    expect(hasLr('<sip:p1.example.com;lr>')).toBe(true);
    expect(hasLr('<sip:p1.example.com;lr=on>')).toBe(true);
    expect(hasLr('<sip:p1.example.com>;lr')).toBe(false);
    expect(hasLr('<tel:+15551234567>')).toBe(false);
  });
});

describe('createCancel (§9.1)', () => {
  it('copies Request-URI, top Via, Route, To, From, Call-ID and the CSeq number', () => {
    const invite = parseMessage(
      Buffer.from(
        [
          'INVITE sip:carol@example.net SIP/2.0',
          'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-inv1;rport, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKold',
          'Max-Forwards: 70',
          'Route: <sip:p1.example.org;lr>',
          'Route: <sip:p2.example.net;lr>',
          'From: <sip:sb@example.org>;tag=u1',
          'To: "Carol" <sip:carol@example.net>',
          'Call-ID: call-uac@198.51.100.1',
          'CSeq: 314 INVITE',
          'Contact: <sip:sb@198.51.100.1:5060>',
          'Require: 100rel',
          'Content-Type: application/sdp',
          'Content-Length: 3',
          '',
          'v=0',
        ].join('\r\n'),
      ),
    ) as SipRequest;
    expect(createCancel(invite).toString()).toBe(
      [
        'CANCEL sip:carol@example.net SIP/2.0',
        'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-inv1;rport',
        'Max-Forwards: 70',
        'Route: <sip:p1.example.org;lr>, <sip:p2.example.net;lr>',
        'To: "Carol" <sip:carol@example.net>',
        'From: <sip:sb@example.org>;tag=u1',
        'Call-ID: call-uac@198.51.100.1',
        'CSeq: 314 CANCEL',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  });
});
