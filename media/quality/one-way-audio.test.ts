// One-way-audio verdicts from when each direction last moved, with hold respected.
import { describe, expect, it } from 'vitest';
import { detectOneWayAudio, type OneWayAudioInput } from './one-way-audio.js';

const at = (o: Partial<OneWayAudioInput>): OneWayAudioInput => ({
  nowMs: 60_000,
  startedAtMs: 0,
  lastInboundMs: 59_500,
  lastOutboundMs: 59_800,
  expectInbound: true,
  expectOutbound: true,
  thresholdMs: 10_000,
  ...o,
});

describe('detectOneWayAudio', () => {
  it('says ok while both directions move', () => {
    expect(detectOneWayAudio(at({}))).toBe('ok');
  });

  it('waits for the threshold after media starts before judging', () => {
    expect(detectOneWayAudio(at({ nowMs: 9_999, lastInboundMs: null, lastOutboundMs: null }))).toBe('pending');
    expect(detectOneWayAudio(at({ nowMs: 10_000, lastInboundMs: null, lastOutboundMs: 9_990 }))).toBe('no-inbound');
  });

  it('names the dead direction once it has been quiet for the threshold', () => {
    expect(detectOneWayAudio(at({ lastInboundMs: 50_001 }))).toBe('ok');
    expect(detectOneWayAudio(at({ lastInboundMs: 50_000 }))).toBe('no-inbound');
    expect(detectOneWayAudio(at({ lastOutboundMs: null }))).toBe('no-outbound');
    expect(detectOneWayAudio(at({ lastInboundMs: 1_000, lastOutboundMs: 2_000 }))).toBe('no-media');
  });

  it('does not call a held leg one-way: only the directions the SDP allows are expected', () => {
    // We put the far end on hold (sendonly): they stop sending, as they should.
    expect(detectOneWayAudio(at({ lastInboundMs: 1_000, expectInbound: false }))).toBe('ok');
    // They put us on hold (we are recvonly): we stop sending.
    expect(detectOneWayAudio(at({ lastOutboundMs: 1_000, expectOutbound: false }))).toBe('ok');
    expect(detectOneWayAudio(at({ lastInboundMs: 1_000, lastOutboundMs: 1_000, expectInbound: false, expectOutbound: false }))).toBe('ok');
  });

  it('reports packets that carry only silence, when inbound levels are measured', () => {
    expect(detectOneWayAudio(at({ lastInboundVoiceMs: null }))).toBe('inbound-silence');
    expect(detectOneWayAudio(at({ lastInboundVoiceMs: 45_000 }))).toBe('inbound-silence');
    expect(detectOneWayAudio(at({ lastInboundVoiceMs: 55_000 }))).toBe('ok');
    // Not measured (a relayed leg nobody decodes): no opinion on silence.
    expect(detectOneWayAudio(at({ lastInboundVoiceMs: undefined }))).toBe('ok');
  });
});
