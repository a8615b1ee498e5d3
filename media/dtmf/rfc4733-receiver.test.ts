import { describe, expect, it } from 'vitest';
import { readPcapRtp } from '../../test/helpers/pcap.js';
import { Rfc4733Receiver, type ReceivedDigit } from './rfc4733-receiver.js';
import { buildTelephoneEvent } from './telephone-event.js';
import { dtmfEventCode } from './digits.js';

const CAPTURES = '/usr/share/sip-tester';
const FILES: [string, string][] = [
  ...[...'0123456789'].map((d): [string, string] => [`dtmf_2833_${d}.pcap`, d]),
  ['dtmf_2833_star.pcap', '*'],
  ['dtmf_2833_pound.pcap', '#'],
];

function harness(o: { endTimeoutMs?: number; clockRate?: number } = {}) {
  let now = 0;
  const digits: ReceivedDigit[] = [];
  const starts: string[] = [];
  const rx = new Rfc4733Receiver({
    ...o,
    now: () => now,
    onDigit: (d) => digits.push(d),
    onDigitStart: (d) => starts.push(d),
  });
  return {
    rx,
    digits,
    starts,
    at(ms: number) {
      now = ms;
    },
    send(ts: number, marker: boolean, digit: string, duration: number, end = false) {
      rx.push(ts, marker, buildTelephoneEvent({ event: dtmfEventCode(digit), end, volume: 10, duration }));
    },
  };
}

/** The packets of one key press as a well-behaved sender emits them every 20 ms from `atMs`. */
function press(h: ReturnType<typeof harness>, ts: number, digit: string, atMs: number, packets = 5, keep?: (i: number) => boolean) {
  const all: [number, boolean, number, boolean][] = [];
  for (let i = 0; i < packets - 1; i++) all.push([atMs + 20 * i, i === 0, (i + 1) * 160, false]);
  for (let r = 0; r < 3; r++) all.push([atMs + 20 * (packets - 1 + r), false, packets * 160, true]);
  all.forEach(([ms, marker, duration, end], i) => {
    if (keep && !keep(i)) return;
    h.at(ms);
    h.send(ts, marker, digit, duration, end);
  });
}

describe('Rfc4733Receiver on sipp captures', () => {
  it.each(FILES)('%s yields exactly %s, once', (file, digit) => {
    const packets = readPcapRtp(`${CAPTURES}/${file}`).filter((p) => p.payloadType === 101);
    expect(packets.length).toBe(10);
    const h = harness();
    for (const p of packets) {
      h.at(p.timeMs - packets[0]!.timeMs);
      h.rx.push(p.timestamp, p.marker, p.rtpPayload);
      h.rx.poll();
    }
    h.rx.flush();
    expect(h.digits.map((d) => d.digit)).toEqual([digit]);
    expect(h.starts).toEqual([digit]);
    expect(h.digits[0]).toMatchObject({ endSeen: true, duration: 2240, durationMs: 280, volume: 10, timestamp: packets[0]!.timestamp });
    expect(h.rx.toJSON()).toMatchObject({ digits: 1, duplicates: 2, lostEnds: 0 });
  });
});

describe('Rfc4733Receiver under loss, duplication and reordering', () => {
  it('reports a press whose first packets (and marker) were lost', () => {
    const h = harness();
    press(h, 1000, '5', 0, 5, (i) => i >= 3);
    expect(h.digits).toMatchObject([{ digit: '5', endSeen: true, duration: 800 }]);
    expect(h.rx.toJSON()).toMatchObject({ lostStarts: 1 });
  });

  it('reports a press whose end packets were all lost once its packets stop for the timeout', () => {
    const h = harness({ endTimeoutMs: 250 });
    press(h, 1000, '7', 0, 5, (i) => i < 4); // last update at 60 ms
    h.at(300);
    h.rx.poll();
    expect(h.digits).toEqual([]); // 240 ms of silence: could still be a late packet
    h.at(310);
    h.rx.poll();
    expect(h.digits).toMatchObject([{ digit: '7', endSeen: false, duration: 640 }]);
    h.rx.poll();
    expect(h.digits).toHaveLength(1);
  });

  it('closes a press with lost end packets when the next press starts, or on flush()', () => {
    const h = harness();
    press(h, 1000, '1', 0, 5, (i) => i < 4);
    press(h, 3000, '2', 200, 5, (i) => i < 4);
    expect(h.digits.map((d) => [d.digit, d.endSeen])).toEqual([['1', false]]);
    h.rx.flush();
    expect(h.digits.map((d) => [d.digit, d.endSeen])).toEqual([['1', false], ['2', false]]);
  });

  it('ignores end packets that arrive after a timeout already reported the press', () => {
    const h = harness();
    press(h, 1000, '9', 0, 5, (i) => i < 4);
    h.at(1000);
    h.rx.poll();
    h.send(1000, false, '9', 800, true);
    h.send(1000, false, '9', 800, true);
    expect(h.digits.map((d) => d.digit)).toEqual(['9']);
  });

  it('reports the same key pressed twice as two digits, and each once', () => {
    const h = harness();
    press(h, 1000, '3', 0);
    press(h, 2600, '3', 200);
    expect(h.digits.map((d) => d.digit)).toEqual(['3', '3']);
  });

  it('does not report a press twice when its end packets arrive after the next press started', () => {
    const h = harness();
    press(h, 1000, '4', 0, 5, (i) => i < 4);
    h.at(100);
    h.send(2600, true, '6', 160);
    h.send(1000, false, '4', 800, true); // late end of "4"
    h.send(900, false, '4', 800, true); // and something older still
    press(h, 2600, '6', 100, 5, (i) => i > 0);
    expect(h.digits.map((d) => d.digit)).toEqual(['4', '6']);
    expect(h.rx.toJSON()).toMatchObject({ digits: 2 });
  });

  it('drops a reordered packet from before the last reported press', () => {
    const h = harness();
    press(h, 1000, '1', 0);
    h.send(900, false, '3', 800, true);
    h.rx.flush();
    expect(h.digits.map((d) => d.digit)).toEqual(['1']);
  });

  it('drops a reordered packet from before the press in progress, which goes on undisturbed', () => {
    const h = harness();
    press(h, 1000, '1', 0);
    h.at(200);
    h.send(2600, true, '6', 160);
    h.send(2000, false, '5', 320); // older than "6", newer than "1"
    h.send(2600, false, '6', 800, true);
    expect(h.digits.map((d) => [d.digit, d.endSeen])).toEqual([['1', true], ['6', true]]);
    expect(h.rx.toJSON()).toMatchObject({ stale: 1, lostEnds: 0 });
  });

  it('reports a long press split into segments once, with its whole duration', () => {
    const h = harness();
    // Segment 1: marker, updates to 0xFFFF (its final update repeated); segment 2 starts where 1 ended.
    let ms = 0;
    h.at(ms);
    h.send(5000, true, '0', 160);
    for (let d = 8000; d < 0xffff; d += 8000) h.send(5000, false, '0', d);
    for (let r = 0; r < 3; r++) h.send(5000, false, '0', 0xffff);
    ms += 20;
    h.at(ms);
    h.send(5000 + 0xffff, false, '0', 160);
    h.send(5000 + 0xffff, false, '0', 4000, true);
    h.send(5000 + 0xffff, false, '0', 4000, true);
    expect(h.digits).toMatchObject([{ digit: '0', endSeen: true, timestamp: 5000, duration: 0xffff + 4000 }]);
    expect(h.starts).toEqual(['0']);
  });

  it('does not mistake the same key pressed again for the next segment of a long press', () => {
    const h = harness();
    press(h, 1000, '2', 0, 5, (i) => i < 4); // end packets lost
    press(h, 5000, '2', 500, 5, (i) => i > 0); // marker lost; 3360 units after "2" last said it lasted
    expect(h.digits.map((d) => [d.digit, d.timestamp])).toEqual([['2', 1000], ['2', 5000]]);
  });

  it('handles event timestamps that wrap past 2^32', () => {
    const h = harness();
    press(h, 0xffffff00, '8', 0);
    press(h, 0x00000500, '8', 200);
    expect(h.digits.map((d) => [d.digit, d.timestamp])).toEqual([['8', 0xffffff00], ['8', 0x500]]);
  });

  it('accepts a source whose timestamps jumped backwards far (a new source), not just reordering', () => {
    const h = harness();
    press(h, 900_000, '1', 0);
    press(h, 10_000, '2', 200);
    expect(h.digits.map((d) => d.digit)).toEqual(['1', '2']);
  });

  it('ignores non-DTMF events, zero-duration reports and short payloads', () => {
    const h = harness();
    h.rx.push(1000, true, buildTelephoneEvent({ event: 16, end: true, volume: 0, duration: 800 })); // flash
    h.rx.push(2000, true, buildTelephoneEvent({ event: 1, end: false, volume: 10, duration: 0 }));
    h.rx.push(3000, true, Uint8Array.of(1, 0x8a));
    h.rx.flush();
    expect(h.digits).toEqual([]);
    expect(h.rx.toJSON()).toMatchObject({ ignored: 2, malformed: 1, packets: 0 });
  });

  it('reports durations in ms at the telephone-event clock rate (48 kHz for an Opus stream)', () => {
    const h = harness({ clockRate: 48000 });
    h.send(0, true, 'A', 960);
    h.send(0, false, 'A', 4800, true);
    expect(h.digits).toMatchObject([{ digit: 'A', durationMs: 100 }]);
  });

  it('reset() forgets the previous stream so a new SSRC may reuse its timestamps', () => {
    const h = harness();
    press(h, 1000, '1', 0);
    h.rx.reset();
    press(h, 1000, '2', 200);
    expect(h.digits.map((d) => d.digit)).toEqual(['1', '2']);
  });
});
