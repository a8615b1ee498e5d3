// Credential uri vs Request-URI: RFC 3261 §19.1.4 equivalence, not string equality.
import { describe, expect, it } from 'vitest';
import { digestUriMatches } from './digest-uri.js';

describe('digestUriMatches', () => {
  it.each([
    ['sip:example.com', 'sip:example.com', true],
    ['sip:example.com', 'sip:EXAMPLE.COM', true],
    ['sip:alice@example.com;lr', 'sip:alice@example.com', true],
    ['sip:alice@example.com;foo=Bar', 'sip:alice@example.com;FOO=bar', true],
    ['sip:%61lice@example.com', 'sip:alice@example.com', true],
    ['sip:Alice@example.com', 'sip:alice@example.com', false],
    ['sip:example.com', 'sips:example.com', false],
    ['sip:example.com', 'sip:example.com:5060', false],
    ['sip:example.com;transport=tcp', 'sip:example.com', false],
    ['sip:example.com;foo=a', 'sip:example.com;foo=b', false],
    ['sip:example.com?subject=x', 'sip:example.com', false],
    ['sip:example.com', 'sip:other.example.com', false],
    ['tel:+15551234567', 'tel:+15551234567', true],
    ['tel:+15551234567', 'TEL:+15551234567', false],
    ['not a uri', 'sip:example.com', false],
  ])('%s vs %s → %s', (param, requestUri, same) => {
    expect(digestUriMatches(param, requestUri)).toBe(same);
  });
});
