import { describe, expect, it } from 'vitest';
import {
  buildTelephoneEvent,
  durationOf,
  endOf,
  parseTelephoneEvent,
  volumeOf,
  writeTelephoneEvent,
} from './telephone-event.js';
import { DTMF_DIGITS, dtmfDigit, dtmfEventCode, dtmfFrequencies } from './digits.js';

describe('telephone-event payload', () => {
  it('parses the blocks sipp sends for digit 1 (golden bytes from dtmf_2833_1.pcap)', () => {
    expect(parseTelephoneEvent(Uint8Array.of(0x01, 0x0a, 0x01, 0x40))).toEqual({ event: 1, end: false, volume: 10, duration: 320 });
    expect(parseTelephoneEvent(Uint8Array.of(0x01, 0x8a, 0x08, 0xc0))).toEqual({ event: 1, end: true, volume: 10, duration: 2240 });
  });

  it('builds the same bytes it parses', () => {
    const bytes = buildTelephoneEvent({ event: 11, end: true, volume: 63, duration: 0xffff });
    expect([...bytes]).toEqual([0x0b, 0xbf, 0xff, 0xff]);
    expect(parseTelephoneEvent(bytes)).toEqual({ event: 11, end: true, volume: 63, duration: 0xffff });
  });

  it('ignores the reserved R bit and reads blocks at an offset', () => {
    const p = Uint8Array.of(0, 0, 0, 0, 0x05, 0x4a, 0x03, 0x20);
    expect(volumeOf(p, 4)).toBe(10);
    expect(endOf(p, 4)).toBe(false);
    expect(durationOf(p, 4)).toBe(800);
  });

  it('refuses short payloads and values the fields cannot hold', () => {
    expect(parseTelephoneEvent(Uint8Array.of(1, 2, 3))).toBeNull();
    const out = new Uint8Array(4);
    expect(() => writeTelephoneEvent(out, 1, false, 64, 160)).toThrow(RangeError);
    expect(() => writeTelephoneEvent(out, 1, false, 10, 0x10000)).toThrow(RangeError);
    expect(() => writeTelephoneEvent(out, 256, false, 10, 160)).toThrow(RangeError);
    expect(() => writeTelephoneEvent(new Uint8Array(3), 1, false, 10, 160)).toThrow(RangeError);
  });
});

describe('DTMF digits', () => {
  it('maps RFC 4733 event codes both ways', () => {
    expect([...DTMF_DIGITS].map(dtmfEventCode)).toEqual([...Array(16).keys()]);
    expect(dtmfEventCode('*')).toBe(10);
    expect(dtmfEventCode('#')).toBe(11);
    expect(dtmfEventCode('d')).toBe(15);
    expect(dtmfEventCode('E')).toBe(-1);
    expect(dtmfEventCode('12')).toBe(-1);
    expect(dtmfDigit(12)).toBe('A');
    expect(dtmfDigit(16)).toBeNull();
  });

  it('has the Q.23 frequency pairs', () => {
    expect(dtmfFrequencies('1')).toEqual([697, 1209]);
    expect(dtmfFrequencies('0')).toEqual([941, 1336]);
    expect(dtmfFrequencies('#')).toEqual([941, 1477]);
    expect(dtmfFrequencies('C')).toEqual([852, 1633]);
    expect(() => dtmfFrequencies('x')).toThrow(RangeError);
  });
});
