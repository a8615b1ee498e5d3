// Where a trunk's requests go with each `encryption`, which SRTP its media uses, and which
// number a registered carrier's call is for.
import { describe, expect, it } from 'vitest';
import type { InboundCall } from '../../sip/ua/index.js';
import type { TrunkRow } from '../b2bua/call-directory.js';
import { dialledOnTrunk } from './trunk-caller.js';
import { refusedAnswerCause, trunkSrtp, trunkUri } from './trunk-transport.js';

const trunk = (termination_uri: string, encryption: string) => ({ termination_uri, encryption });

describe('trunkUri', () => {
  it.each([
    ['sip:trunk.carrier.com:5060', 'none', '+14155550100', 'sip:+14155550100@trunk.carrier.com:5060'],
    ['sip:trunk.carrier.com', 'tls', '+14155550100', 'sip:+14155550100@trunk.carrier.com;transport=tls'],
    // 5060 is the plain SIP port: with TLS the carrier's TLS port, 5061.
    ['sip:trunk.carrier.com:5060', 'tls_srtp', '+14155550100', 'sip:+14155550100@trunk.carrier.com:5061;transport=tls'],
    ['sip:10.0.0.5:5071;transport=udp', 'tls_srtp', '+14155550100', 'sip:+14155550100@10.0.0.5:5071;transport=tls'],
    ['sips:trunk.carrier.com', 'tls', '+14155550100', 'sips:+14155550100@trunk.carrier.com'],
    ['sip:trunk.carrier.com:5080', 'tls', undefined, 'sip:trunk.carrier.com:5080;transport=tls'],
  ])('%s with %s', (uri, encryption, user, expected) => {
    expect(trunkUri(trunk(uri, encryption), user)).toBe(expected);
  });
});

describe('trunkSrtp', () => {
  it('requires SRTP both ways for tls_srtp, takes offered SRTP in for tls, none otherwise', () => {
    expect(trunkSrtp(trunk('sip:a', 'tls_srtp'), 'outbound')).toMatchObject({ mode: 'required', suites: ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] });
    expect(trunkSrtp(trunk('sip:a', 'tls_srtp'), 'inbound')?.mode).toBe('required');
    expect(trunkSrtp(trunk('sip:a', 'tls'), 'inbound')?.mode).toBe('optional');
    expect(trunkSrtp(trunk('sip:a', 'tls'), 'outbound')).toBeUndefined();
    expect(trunkSrtp(trunk('sip:a', 'none'), 'inbound')).toBeUndefined();
  });

  it('names a refused answer srtp_required on tls_srtp trunks', () => {
    const badSdp = { name: 'MediaEngineError', code: 'bad_sdp' };
    expect(refusedAnswerCause(badSdp, trunk('sip:a', 'tls_srtp'))).toBe('srtp_required');
    expect(refusedAnswerCause(badSdp, trunk('sip:a', 'none'))).toBe('bad_answer_sdp');
    expect(refusedAnswerCause({ name: 'MediaEngineError', code: 'worker_lost' }, trunk('sip:a', 'tls_srtp'))).toBeUndefined();
  });
});

describe('dialledOnTrunk', () => {
  const call = (to: string) => ({ to: { uri: to } }) as unknown as InboundCall;
  const row = { auth_username: 'trunkuser' } as TrunkRow;
  it('takes the Request-URI user, or To when the carrier called the Contact we registered', () => {
    expect(dialledOnTrunk(call('sip:+14155550123@sb.example'), row, '+14155550123')).toBe('+14155550123');
    expect(dialledOnTrunk(call('sip:+14155550123@sb.example'), row, 'trunkuser')).toBe('+14155550123');
    expect(dialledOnTrunk(call('<sip:%2B14155550123@sb.example>'), row, '')).toBe('+14155550123');
    expect(dialledOnTrunk(call('sip:sb.example'), row, 'trunkuser')).toBe('trunkuser');
  });
});
