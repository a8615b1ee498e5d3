// The connection deadlines on a manual clock: which one closes a connection, when,
// and that traffic keeps a connection alive.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../transaction/timers.js';
import { ConnectionDeadlines, type DeadlineReason } from './connection-deadlines.js';

const limits = { firstByteTimeoutMs: 30_000, messageTimeoutMs: 10_000, idleTimeoutMs: 60_000 };

function harness(awaitFirstByte = true) {
  const clock = new ManualClock();
  const expired: { reason: DeadlineReason; at: number }[] = [];
  const d = new ConnectionDeadlines(limits, clock, () => clock.now, (reason) => expired.push({ reason, at: clock.now }), awaitFirstByte);
  return { clock, d, expired };
}

describe('ConnectionDeadlines', () => {
  it('closes a connection that never sends a byte at the first-byte deadline', () => {
    const h = harness();
    h.clock.advance(29_999);
    expect(h.expired).toEqual([]);
    h.clock.advance(1);
    expect(h.expired).toEqual([{ reason: 'first-byte', at: 30_000 }]);
  });

  it('closes a connection whose message does not complete within the message deadline', () => {
    const h = harness();
    h.clock.advance(1_000);
    h.d.activity(true); // a message starts
    h.clock.advance(5_000);
    h.d.activity(true); // dribbling more of it does not extend the deadline
    h.clock.advance(4_999);
    expect(h.expired).toEqual([]);
    h.clock.advance(1);
    expect(h.expired).toEqual([{ reason: 'message', at: 11_000 }]);
  });

  it('restarts the message deadline for each message', () => {
    const h = harness();
    for (let i = 0; i < 20; i++) {
      h.d.activity(true);
      h.clock.advance(9_000);
      h.d.activity(false); // complete
      h.clock.advance(500);
    }
    expect(h.expired).toEqual([]);
  });

  it('closes an idle connection after the idle timeout, counted from the last traffic', () => {
    const h = harness();
    h.clock.advance(100);
    h.d.activity(false);
    h.clock.advance(50_000);
    h.d.activity(false); // a keep-alive
    h.clock.advance(59_999);
    expect(h.expired).toEqual([]);
    h.clock.advance(1);
    expect(h.expired).toEqual([{ reason: 'idle', at: 110_100 }]);
  });

  it('keeps a connection with regular traffic open indefinitely, with a bounded number of timers', () => {
    const h = harness();
    for (let i = 0; i < 100; i++) {
      h.d.activity(true);
      h.d.activity(false);
      h.clock.advance(20_000);
    }
    expect(h.expired).toEqual([]);
    expect(h.clock.pending()).toBe(1);
  });

  it('an outbound connection has no first-byte deadline, only idle', () => {
    const h = harness(false);
    h.clock.advance(59_999);
    expect(h.expired).toEqual([]);
    h.clock.advance(1);
    expect(h.expired).toEqual([{ reason: 'idle', at: 60_000 }]);
  });

  it('stop() cancels everything', () => {
    const h = harness();
    h.d.stop();
    h.clock.advance(1_000_000);
    expect(h.expired).toEqual([]);
    expect(h.clock.pending()).toBe(0);
  });
});
