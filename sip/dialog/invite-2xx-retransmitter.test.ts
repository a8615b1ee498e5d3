// The UAS's 2xx retransmission schedule (RFC 3261 §13.3.1.4) on a manual clock.
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { ManualClock, type TimerValues } from '../transaction/timers.js';
import { Invite2xxRetransmitter } from './invite-2xx-retransmitter.js';

function parse(lines: string[]): SipRequest | SipResponse {
  return parseMessage(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
}

const ok = (): SipResponse =>
  parse([
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa1',
    'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>;tag=b1',
    'Call-ID: rtx-call',
    'CSeq: 10 INVITE',
    'Contact: <sip:bob@198.51.100.1>',
    'Content-Length: 0',
  ]) as SipResponse;

const ack = (cseq: number): SipRequest =>
  parse([
    'ACK sip:bob@198.51.100.1 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKack',
    'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>;tag=b1',
    'Call-ID: rtx-call',
    `CSeq: ${cseq} ACK`,
    'Content-Length: 0',
  ]) as SipRequest;

function harness(timers?: TimerValues) {
  const clock = new ManualClock();
  const sentAt: number[] = [];
  let timeouts = 0;
  const response = ok();
  const rtx = new Invite2xxRetransmitter({
    clock,
    timers,
    response,
    send: (r) => {
      expect(r).toBe(response);
      sentAt.push(clock.now);
    },
    onTimeout: () => timeouts++,
  });
  return { clock, rtx, sentAt, timeouts: () => timeouts };
}

describe('2xx retransmission until the ACK (§13.3.1.4)', () => {
  it('resends at T1, doubling to T2, and gives up at 64*T1 with onTimeout', () => {
    const h = harness();
    h.rtx.start();
    h.clock.advance(40_000);
    // T1 = 500 ms, T2 = 4 s: gaps 500, 1000, 2000, then 4000 until 32 s.
    expect(h.sentAt).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(h.rtx.retransmissions).toBe(10);
    expect(h.timeouts()).toBe(1);
    expect(h.rtx.running).toBe(false);
    expect(h.clock.pending()).toBe(0);
  });

  it('follows configured timers', () => {
    const h = harness({ T1: 100, T2: 300, T4: 5000 });
    h.rtx.start();
    h.clock.advance(10_000);
    expect(h.sentAt).toEqual([100, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000, 3300, 3600, 3900, 4200, 4500, 4800, 5100, 5400, 5700, 6000, 6300]);
    expect(h.timeouts()).toBe(1);
  });

  it('stops on the ACK with the INVITE\'s CSeq, and ignores other ACKs', () => {
    const h = harness();
    h.rtx.start();
    h.clock.advance(2000);
    expect(h.sentAt).toEqual([500, 1500]);
    expect(h.rtx.receiveAck(ack(9))).toBe(false);
    h.clock.advance(2000);
    expect(h.sentAt).toEqual([500, 1500, 3500]);
    expect(h.rtx.receiveAck(ack(10))).toBe(true);
    expect(h.rtx.running).toBe(false);
    h.clock.advance(60_000);
    expect(h.sentAt).toEqual([500, 1500, 3500]);
    expect(h.timeouts()).toBe(0);
    expect(h.clock.pending()).toBe(0);
    // A retransmitted ACK after that is not news.
    expect(h.rtx.receiveAck(ack(10))).toBe(false);
  });

  it('stop() ends the schedule without a timeout; start() twice schedules once', () => {
    const h = harness();
    h.rtx.start();
    h.rtx.start();
    h.clock.advance(600);
    expect(h.sentAt).toEqual([500]);
    h.rtx.stop();
    h.clock.advance(60_000);
    expect(h.sentAt).toEqual([500]);
    expect(h.timeouts()).toBe(0);
  });
});
