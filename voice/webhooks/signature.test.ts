// The signature a receiver checks, computed the way docs/webhooks.md tells them to.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, signPayload, verifySignature } from './signature.js';

const secret = 'whsec_' + 'A'.repeat(43);
const body = '{"id":"evt_1","type":"call.ringing","data":{"x":"é"}}';

describe('webhook signature', () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the whole secret string', () => {
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(Buffer.from(`1700000000.${body}`, 'utf8'))
      .digest('hex');
    expect(signPayload(secret, 1700000000, body)).toBe(expected);
    expect(signatureHeader(secret, 1700000000, body)).toBe(`v1=${expected}`);
  });

  it('verifies what it signs, and nothing changed', () => {
    const h = signatureHeader(secret, 1700000000, body);
    const now = { nowSeconds: 1700000010 };
    expect(verifySignature(secret, h, '1700000000', body, now)).toBe(true);
    expect(verifySignature(secret, h, '1700000001', body, now)).toBe(false);
    expect(verifySignature(secret, h, '1700000000', body.replace('ringing', 'completed'), now)).toBe(false);
    expect(verifySignature(secret + 'x', h, '1700000000', body, now)).toBe(false);
    expect(verifySignature(secret, h.replace('v1=', 'v0='), '1700000000', body, now)).toBe(false);
    expect(verifySignature(secret, 'v1=zz', '1700000000', body, now)).toBe(false);
  });

  it('refuses a timestamp older (or newer) than the tolerance', () => {
    const h = signatureHeader(secret, 1700000000, body);
    expect(verifySignature(secret, h, '1700000000', body, { nowSeconds: 1700000300 })).toBe(true);
    expect(verifySignature(secret, h, '1700000000', body, { nowSeconds: 1700000301 })).toBe(false);
    expect(verifySignature(secret, h, '1700000000', body, { nowSeconds: 1699999000 })).toBe(false);
    expect(verifySignature(secret, h, 'abc', body, { nowSeconds: 1700000000 })).toBe(false);
  });

  it('accepts the matching one of several signatures', () => {
    const good = signatureHeader(secret, 1700000000, body);
    const other = signatureHeader('whsec_other', 1700000000, body);
    expect(verifySignature(secret, `${other}, ${good}`, '1700000000', body, { nowSeconds: 1700000000 })).toBe(true);
  });
});
