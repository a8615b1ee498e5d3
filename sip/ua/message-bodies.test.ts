// Bodies the user agent reads and writes: message/sipfrag (RFC 3515 NOTIFY), DTMF in
// INFO, and the hold direction of an SDP offer (RFC 3264 §8.4).
import { describe, expect, it } from 'vitest';
import { formatDtmfRelay, parseDtmfInfo } from './dtmf-info.js';
import { audioDirection, isHoldOffer } from './sdp-hold.js';
import { formatSipfrag, parseSipfrag } from './sipfrag.js';

describe('message/sipfrag', () => {
  it('writes a status line and reads one back, ignoring what follows', () => {
    expect(formatSipfrag(100)).toBe('SIP/2.0 100 Trying\r\n');
    expect(formatSipfrag(503, 'Gone Fishing')).toBe('SIP/2.0 503 Gone Fishing\r\n');
    expect(parseSipfrag('SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n')).toEqual({ status: 180, reason: 'Ringing' });
    expect(parseSipfrag('INVITE sip:x SIP/2.0\r\n')).toBeUndefined();
  });
});

describe('DTMF in INFO', () => {
  it('reads application/dtmf-relay with its duration', () => {
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n')).toEqual({ digit: '5', durationMs: 160 });
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal= #\nDuration= 250')).toEqual({ digit: '#', durationMs: 250 });
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=11\r\n')).toEqual({ digit: '#', durationMs: undefined });
  });

  it('reads application/dtmf as a bare digit', () => {
    expect(parseDtmfInfo('application/dtmf', '7')).toEqual({ digit: '7', durationMs: undefined });
    expect(parseDtmfInfo('application/dtmf', 'a')).toEqual({ digit: 'A', durationMs: undefined });
  });

  it('is not fooled by other bodies', () => {
    expect(parseDtmfInfo('application/media_control+xml', 'Signal=5')).toBeUndefined();
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=X')).toBeUndefined();
  });

  it('writes dtmf-relay', () => {
    expect(formatDtmfRelay('*', 100)).toBe('Signal=*\r\nDuration=100\r\n');
    expect(() => formatDtmfRelay('Z', 100)).toThrow(RangeError);
  });
});

describe('hold in an SDP offer (RFC 3264 §8.4)', () => {
  const sdp = (lines: string[]): string => ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', ...lines, ''].join('\r\n');

  it('takes the audio stream direction over the session one', () => {
    expect(audioDirection(sdp(['a=sendonly', 'm=audio 4000 RTP/AVP 0', 'a=sendrecv']))).toBe('sendrecv');
    expect(audioDirection(sdp(['a=inactive', 'm=audio 4000 RTP/AVP 0']))).toBe('inactive');
    expect(audioDirection(sdp(['m=video 5000 RTP/AVP 96', 'a=sendonly', 'm=audio 4000 RTP/AVP 0']))).toBe('sendrecv');
  });

  it('calls sendonly, inactive and 0.0.0.0 hold, and nothing else', () => {
    expect(isHoldOffer(sdp(['m=audio 4000 RTP/AVP 0', 'a=sendonly']))).toBe(true);
    expect(isHoldOffer(sdp(['m=audio 4000 RTP/AVP 0', 'a=inactive']))).toBe(true);
    expect(isHoldOffer(sdp(['m=audio 4000 RTP/AVP 0', 'a=recvonly']))).toBe(false);
    expect(isHoldOffer(sdp(['m=audio 4000 RTP/AVP 0'])) ).toBe(false);
    expect(isHoldOffer(sdp(['m=audio 4000 RTP/AVP 0']).replace('c=IN IP4 192.0.2.1', 'c=IN IP4 0.0.0.0'))).toBe(true);
    expect(isHoldOffer(undefined)).toBe(false);
  });
});
