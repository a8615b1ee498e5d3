// STUN Binding responses (RFC 5389) as a NAT keep-alive client reads them: the
// transaction id echoed, the mapped address and port recovered by XOR, a valid FINGERPRINT.
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bindingResponse, canMapAddress, isBindingRequest, isStun } from './stun-binding.js';
import { bindingRequest, mappedAddress } from './loopback-clients.js';

describe('STUN binding', () => {
  it('answers with the transaction id and the source address and port', () => {
    const req = bindingRequest();
    expect(isBindingRequest(req)).toBe(true);
    const res = bindingResponse(req, '203.0.113.7', 40_001);
    expect(isStun(res)).toBe(true);
    expect(res.readUInt16BE(0)).toBe(0x0101);
    expect(res.subarray(8, 20).equals(req.subarray(8, 20))).toBe(true);
    expect(mappedAddress(res)).toEqual({ address: '203.0.113.7', port: 40_001 });
  });

  it('maps IPv6 sources too', () => {
    const res = bindingResponse(bindingRequest(), '2001:db8::42', 5062);
    expect(mappedAddress(res)).toEqual({ address: '2001:db8:0:0:0:0:0:42', port: 5062 });
  });

  it('ends with a FINGERPRINT over everything before it', () => {
    const res = bindingResponse(bindingRequest(), '192.0.2.1', 5060);
    const fp = res.length - 8;
    expect(res.readUInt16BE(fp)).toBe(0x8028);
    expect(res.readUInt32BE(fp + 4)).toBe((crc32(res.subarray(0, fp)) ^ 0x5354554e) >>> 0);
  });

  it('never takes a SIP message or a truncated STUN message for STUN', () => {
    expect(isStun(Buffer.from('OPTIONS sip:a SIP/2.0\r\n\r\n'))).toBe(false);
    expect(isStun(bindingRequest().subarray(0, 19))).toBe(false);
    expect(canMapAddress('fe80::1%eth0')).toBe(false);
    expect(canMapAddress('10.0.0.1')).toBe(true);
  });
});
