// Replaces (RFC 3891): parsing, formatting, and the Refer-To URI that carries one.
import { describe, expect, it } from 'vitest';
import { parseSipUri } from '../uri.js';
import { dialogIdOfReplaces, formatReplaces, parseReplaces, replacesFor, withReplacesHeader } from './replaces.js';

describe('Replaces (RFC 3891 §6.1)', () => {
  it('parses the RFC example, with or without early-only', () => {
    expect(parseReplaces('425928@bobster.example.org;to-tag=7743;from-tag=6472')).toEqual({
      callId: '425928@bobster.example.org',
      toTag: '7743',
      fromTag: '6472',
      earlyOnly: false,
    });
    expect(parseReplaces(' 98732@sip.example.com ; from-tag = r33th4x0r ; to-tag=ff87ff ;early-only').earlyOnly).toBe(true);
  });

  it('refuses a value without both tags or without a Call-ID', () => {
    expect(() => parseReplaces('abc@x;to-tag=1')).toThrow();
    expect(() => parseReplaces(';to-tag=1;from-tag=2')).toThrow();
  });

  it('names our dialog the way the peer looks it up: to-tag = its tag, from-tag = ours', () => {
    const r = replacesFor({ callId: 'c1@x', localTag: 'ours', remoteTag: 'theirs' });
    expect(formatReplaces(r)).toBe('c1@x;to-tag=theirs;from-tag=ours');
    // At the peer, to-tag is compared with its local tag and from-tag with its remote tag.
    expect(dialogIdOfReplaces(r)).toEqual({ callId: 'c1@x', localTag: 'theirs', remoteTag: 'ours' });
  });

  it('embeds an escaped Replaces in a Refer-To URI that a SIP URI parser gives back', () => {
    const uri = withReplacesHeader('sip:carol@192.0.2.4', { callId: 'a@b', toTag: 't1', fromTag: 'f1', earlyOnly: false });
    expect(uri).toBe('sip:carol@192.0.2.4?Replaces=a%40b%3Bto-tag%3Dt1%3Bfrom-tag%3Df1');
    expect(parseReplaces(parseSipUri(uri).headers.get('Replaces')!)).toEqual({ callId: 'a@b', toTag: 't1', fromTag: 'f1', earlyOnly: false });
  });
});
