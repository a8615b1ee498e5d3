// Answers to offers in the shapes real peers send (media/sdp/fixtures/: our own examples, written
// the way those products write SDP). The assertions are on what goes back over the wire and on
// what the engine is told to do with the stream.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answerOffer, applyAnswer, SdpError, type LocalMedia } from './index.js';

/** A fixture as it arrives in a SIP body: CRLF line ends. */
const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}.sdp`, import.meta.url), 'utf8').replace(/\r?\n/g, '\r\n');

/** Deterministic "random" bytes: 0x11, 0x12, ... */
function counter(start: number): (n: number) => Uint8Array {
  let v = start;
  return (n) => Uint8Array.from({ length: n }, () => v++ & 0xff);
}

const local = (over: Partial<LocalMedia> = {}): LocalMedia => ({
  address: '203.0.113.5',
  port: 40000,
  codecs: ['PCMU', 'PCMA', 'G722', 'opus'],
  telephoneEvent: true,
  sessionId: '4858321234',
  random: counter(0x11),
  ...over,
});

const lines = (...l: string[]): string => `${l.join('\r\n')}\r\n`;

const HEAD = ['v=0', 'o=- 4858321234 1 IN IP4 203.0.113.5', 's=-', 'c=IN IP4 203.0.113.5', 't=0 0'];

function refusal(run: () => unknown): SdpError {
  try {
    run();
  } catch (err) {
    if (err instanceof SdpError) return err;
    throw err;
  }
  throw new Error('expected an SdpError');
}

describe('desk phones', () => {
  it('Polycom: our list puts PCMU before its preferred G.722; telephone-event keeps its PT 127 and the default events', () => {
    const { sdp, negotiated } = answerOffer(fixture('desk-phone-polycom'), local());
    expect(sdp).toBe(
      lines(...HEAD, 'm=audio 40000 RTP/AVP 0 127', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:127 telephone-event/8000', 'a=fmtp:127 0-15', 'a=ptime:20', 'a=sendrecv'),
    );
    expect(negotiated.remote).toEqual({ address: '192.168.10.21', port: 2226, rtcpAddress: '192.168.10.21', rtcpPort: 2227 });
    expect(negotiated.codec).toEqual({ name: 'PCMU', payloadType: 0, receivePayloadType: 0, clockRate: 8000, sampleRate: 8000, channels: 1 });
    expect(negotiated.telephoneEvent).toEqual({ payloadType: 127, receivePayloadType: 127, clockRate: 8000, events: '0-15' });
    // The session-level a=sendrecv applies to the stream.
    expect(negotiated.direction).toBe('sendrecv');
  });

  it('Polycom with a wideband-first list: G.722 with its 8 kHz RTP clock and 16 kHz audio', () => {
    const { sdp, negotiated } = answerOffer(fixture('desk-phone-polycom'), local({ codecs: ['G722', 'PCMU'] }));
    expect(sdp).toContain('m=audio 40000 RTP/AVP 9 127\r\na=rtpmap:9 G722/8000\r\n');
    expect(negotiated.codec).toMatchObject({ name: 'G722', payloadType: 9, clockRate: 8000, sampleRate: 16000 });
  });

  it('Yealink with optional SRTP: best-effort SRTP on the AES_CM_128_HMAC_SHA1_80 line (tag 2), the _32 line skipped', () => {
    const { sdp, negotiated } = answerOffer(fixture('desk-phone-yealink-srtp-optional'), local({ crypto: { mode: 'optional' } }));
    // Our key is the 30 injected bytes 0x11..0x2e, base64.
    const ourKey = Buffer.from(Array.from({ length: 30 }, (_, i) => 0x11 + i)).toString('base64');
    expect(sdp).toContain(`m=audio 40000 RTP/AVP 0 101\r\n`);
    expect(sdp).toContain(`a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${ourKey}\r\n`);
    expect(sdp).not.toContain('a=crypto:1');
    expect(negotiated.profile).toBe('RTP/AVP');
    expect(negotiated.srtp?.tag).toBe(2);
    expect(Array.from(negotiated.srtp!.remote.masterKey)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(Array.from(negotiated.srtp!.remote.masterSalt)).toEqual(Array.from({ length: 14 }, (_, i) => i + 17));
    expect(Buffer.from(negotiated.srtp!.local.masterKey).toString('hex')).toBe('1112131415161718191a1b1c1d1e1f20');
  });

  it('Yealink with optional SRTP, answered by a server without SRTP: plain RTP, no a=crypto', () => {
    const { sdp, negotiated } = answerOffer(fixture('desk-phone-yealink-srtp-optional'), local());
    expect(sdp).not.toContain('a=crypto');
    expect(negotiated.srtp).toBeUndefined();
    expect(negotiated.telephoneEvent?.events).toBe('0-15');
  });
});

describe('trunks', () => {
  it('Twilio-style: PCMU and telephone-event 101 with events 0-16', () => {
    const { sdp, negotiated } = answerOffer(fixture('trunk-twilio-style'), local());
    expect(sdp).toBe(
      lines(...HEAD, 'm=audio 40000 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20', 'a=sendrecv'),
    );
    expect(negotiated.remoteSession).toEqual({ sessionId: '1493785937', version: '1493785937' });
  });

  it('Telnyx-style: a=ptime:30 is what we send with, a=rtcp gives the RTCP port, comfort noise is not answered', () => {
    const { sdp, negotiated } = answerOffer(fixture('trunk-telnyx-style'), local());
    expect(sdp).toContain('m=audio 40000 RTP/AVP 0 101\r\n');
    expect(sdp).not.toContain('CN/8000');
    expect(negotiated.ptime).toBe(30);
    expect(negotiated.maxptime).toBe(40);
    expect(negotiated.remote.rtcpPort).toBe(30021);
  });

  it('Telnyx-style with the offerer’s order honoured: PCMA, its first codec', () => {
    const { negotiated } = answerOffer(fixture('trunk-telnyx-style'), local({ codecOrder: 'offer' }));
    expect(negotiated.codec.name).toBe('PCMA');
  });
});

describe('softphones and test tools', () => {
  it("sipp's uac_pcap offer: PCMA (no PCMU offered), events 0-11,16 as offered", () => {
    const { sdp, negotiated } = answerOffer(fixture('sipp-uac-pcap'), local());
    expect(sdp).toBe(
      lines(...HEAD, 'm=audio 40000 RTP/AVP 8 101', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-11,16', 'a=ptime:20', 'a=sendrecv'),
    );
    expect(negotiated.remote).toMatchObject({ address: '127.0.0.1', port: 6000 });
  });

  it('baresip: Opus on its dynamic PT 96 when first in our list; its fmtp reaches the engine; telephone-event/8000 next to Opus', () => {
    const { sdp, negotiated } = answerOffer(fixture('baresip'), local({ codecs: ['opus', 'PCMU'] }));
    expect(sdp).toContain('m=audio 40000 RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n');
    expect(negotiated.codec).toEqual({
      name: 'opus',
      payloadType: 96,
      receivePayloadType: 96,
      clockRate: 48000,
      sampleRate: 48000,
      channels: 2,
      fmtp: 'stereo=1;sprop-stereo=1;maxaveragebitrate=64000',
    });
    expect(negotiated.telephoneEvent).toMatchObject({ payloadType: 101, clockRate: 8000 });
  });

  it('Chrome through sip.js (WebRTC): refused as unsupported, 488, naming the transport', () => {
    const err = refusal(() => answerOffer(fixture('webrtc-chrome-sipjs'), local()));
    expect(err.kind).toBe('unsupported');
    expect(err.sipStatus).toBe(488);
    expect(err.warnCode).toBe(302);
    expect(err.message).toContain('UDP/TLS/RTP/SAVPF');
  });
});

describe('RFC 4317 shapes', () => {
  it('audio and video offered: audio answered, video rejected in place with port 0', () => {
    const { sdp, negotiated } = answerOffer(fixture('rfc4317-audio-video'), local());
    expect(sdp).toBe(
      lines(...HEAD, 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=ptime:20', 'a=sendrecv', 'm=video 0 RTP/AVP 31 32'),
    );
    // No telephone-event offered: none negotiated.
    expect(negotiated.telephoneEvent).toBeUndefined();
  });

  it('two audio streams: the first is kept, the second rejected', () => {
    const { sdp, negotiated } = answerOffer(fixture('rfc4317-two-audio-streams'), local());
    expect(sdp.split('\r\n').filter((l) => l.startsWith('m='))).toEqual(['m=audio 40000 RTP/AVP 0', 'm=audio 0 RTP/AVP 98']);
    expect(negotiated.mediaIndex).toBe(0);
  });

  it('the answerer rejects the video of our audio+video offer: the audio call goes ahead', () => {
    const answer = lines(
      'v=0',
      'o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com',
      's=',
      'c=IN IP4 192.0.2.201',
      't=0 0',
      'm=audio 49172 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      'm=video 0 RTP/AVP 31',
    );
    const negotiated = applyAnswer(fixture('rfc4317-audio-video'), answer);
    expect(negotiated.codec.name).toBe('PCMU');
    expect(negotiated.remote).toMatchObject({ address: '192.0.2.201', port: 49172 });
  });
});
