// Every transition of the four RFC 3261 §17 machines (plus RFC 6026's Accepted),
// driven by a manual clock: what goes on the wire, when, and in which state.
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../message/message.js';
import { parseMessage } from '../message/parse.js';
import { createResponse } from '../message/response.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { TransactionLayer, type Peer } from './transaction-layer.js';
import { ManualClock, DEFAULT_TIMERS } from './timers.js';
import type { TransactionEnv } from './transaction.js';

const T1 = DEFAULT_TIMERS.T1;

function request(method: string, branch = 'z9hG4bK-test-1', extra = ''): SipRequest {
  const text =
    `${method} sip:bob@example.com SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}\r\n` +
    `From: <sip:alice@example.com>;tag=a1\r\n` +
    `To: <sip:bob@example.com>${extra}\r\n` +
    `Call-ID: call-1@192.0.2.1\r\n` +
    `CSeq: 1 ${method}\r\n` +
    `Max-Forwards: 70\r\n` +
    `Content-Length: 0\r\n\r\n`;
  return parseMessage(Buffer.from(text)) as SipRequest;
}

function harness(reliable = false) {
  const clock = new ManualClock();
  const sent: (SipRequest | SipResponse)[] = [];
  let terminated = 0;
  const env: TransactionEnv = {
    clock,
    timers: DEFAULT_TIMERS,
    reliable,
    send: (m) => sent.push(m),
    encode: (m) => m.toBuffer(),
    sendBytes: (b) => sent.push(parseMessage(b)),
    terminated: () => terminated++,
  };
  return { clock, sent, env, terminated: () => terminated };
}

const statusOf = (m: SipRequest | SipResponse): string => (m.isRequest ? m.method : String(m.status));

describe('INVITE server transaction (§17.2.1, RFC 6026)', () => {
  it('Proceeding: resends the last provisional on a retransmitted INVITE', () => {
    const h = harness();
    const inv = request('INVITE');
    const tx = new InviteServerTransaction(inv, h.env);
    tx.handle({ type: 'request', request: inv }); // nothing sent yet: nothing to resend
    expect(h.sent).toHaveLength(0);
    tx.handle({ type: 'respond', response: createResponse(inv, 180) });
    tx.handle({ type: 'request', request: inv });
    expect(h.sent.map(statusOf)).toEqual(['180', '180']);
    expect(tx.currentState).toBe('proceeding');
  });

  it('2xx: Accepted, absorbs INVITE retransmissions, passes TU 2xx retransmissions, Timer L ends it', () => {
    const h = harness();
    const inv = request('INVITE');
    const tx = new InviteServerTransaction(inv, h.env);
    const ok = createResponse(inv, 200);
    tx.handle({ type: 'respond', response: ok });
    expect(tx.currentState).toBe('accepted');
    tx.handle({ type: 'request', request: inv });
    expect(h.sent).toHaveLength(1);
    tx.handle({ type: 'respond', response: ok });
    expect(h.sent).toHaveLength(2);
    h.clock.advance(64 * T1 - 1);
    expect(tx.currentState).toBe('accepted');
    h.clock.advance(1);
    expect(tx.currentState).toBe('terminated');
    expect(h.terminated()).toBe(1);
  });

  it('300-699 on UDP: Timer G retransmits at T1, 2T1 ... capped at T2; ACK confirms; Timer I ends it', () => {
    const h = harness();
    const inv = request('INVITE');
    const tx = new InviteServerTransaction(inv, h.env);
    tx.handle({ type: 'respond', response: createResponse(inv, 486) });
    expect(tx.currentState).toBe('completed');
    const times: number[] = [];
    const before = h.sent.length;
    for (let t = 0; t < 20_000; t += 50) {
      const n = h.sent.length;
      h.clock.advance(50);
      if (h.sent.length > n) times.push(h.clock.now);
    }
    // 500, 1500, 3500, 7500, 11500, 15500, 19500 ms: doubling to T2 (4 s), then every T2.
    expect(times).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500]);
    expect(h.sent.length - before).toBe(7);
    tx.handle({ type: 'request', request: request('ACK') });
    expect(tx.currentState).toBe('confirmed');
    const n = h.sent.length;
    h.clock.advance(10_000);
    expect(h.sent.length).toBe(n); // no more G
    expect(tx.currentState).toBe('terminated'); // Timer I = T4
  });

  it('300-699: a retransmitted INVITE gets the final again; Timer H times out without ACK', () => {
    const h = harness();
    const inv = request('INVITE');
    let timedOut = false;
    const tx = new InviteServerTransaction(inv, h.env, { onTimeout: () => (timedOut = true) });
    tx.handle({ type: 'respond', response: createResponse(inv, 404) });
    tx.handle({ type: 'request', request: inv });
    expect(h.sent.map(statusOf)).toEqual(['404', '404']);
    h.clock.advance(64 * T1);
    expect(tx.currentState).toBe('terminated');
    expect(timedOut).toBe(true);
  });

  it('reliable transport: no Timer G, Timer I is zero', () => {
    const h = harness(true);
    const inv = request('INVITE');
    const tx = new InviteServerTransaction(inv, h.env);
    tx.handle({ type: 'respond', response: createResponse(inv, 486) });
    h.clock.advance(10_000);
    expect(h.sent).toHaveLength(1);
    tx.handle({ type: 'request', request: request('ACK') });
    h.clock.advance(0);
    expect(tx.currentState).toBe('terminated');
  });

  it('Confirmed absorbs further ACKs', () => {
    const h = harness();
    const inv = request('INVITE');
    const tx = new InviteServerTransaction(inv, h.env);
    tx.handle({ type: 'respond', response: createResponse(inv, 486) });
    tx.handle({ type: 'request', request: request('ACK') });
    tx.handle({ type: 'request', request: request('ACK') });
    expect(tx.currentState).toBe('confirmed');
    expect(h.sent).toHaveLength(1);
  });
});

describe('non-INVITE server transaction (§17.2.2)', () => {
  it('Trying discards retransmissions; Proceeding and Completed resend the last response', () => {
    const h = harness();
    const req = request('REGISTER');
    const tx = new NonInviteServerTransaction(req, h.env);
    tx.handle({ type: 'request', request: req });
    expect(h.sent).toHaveLength(0);
    tx.handle({ type: 'respond', response: createResponse(req, 100) });
    expect(tx.currentState).toBe('proceeding');
    tx.handle({ type: 'request', request: req });
    tx.handle({ type: 'respond', response: createResponse(req, 200) });
    expect(tx.currentState).toBe('completed');
    tx.handle({ type: 'request', request: req });
    expect(h.sent.map(statusOf)).toEqual(['100', '100', '200', '200']);
  });

  it('Completed ignores further TU finals; Timer J (64*T1 on UDP) ends it', () => {
    const h = harness();
    const req = request('OPTIONS');
    const tx = new NonInviteServerTransaction(req, h.env);
    tx.handle({ type: 'respond', response: createResponse(req, 200) });
    tx.handle({ type: 'respond', response: createResponse(req, 500) });
    expect(h.sent.map(statusOf)).toEqual(['200']);
    h.clock.advance(64 * T1 - 1);
    expect(tx.currentState).toBe('completed');
    h.clock.advance(1);
    expect(tx.currentState).toBe('terminated');
  });

  it('reliable transport: Timer J is zero', () => {
    const h = harness(true);
    const req = request('OPTIONS');
    const tx = new NonInviteServerTransaction(req, h.env);
    tx.handle({ type: 'respond', response: createResponse(req, 200) });
    h.clock.advance(0);
    expect(tx.currentState).toBe('terminated');
  });
});

function responseTo(req: SipRequest, status: number): SipResponse {
  return createResponse(req, status, { toTag: 'b1' });
}

describe('INVITE client transaction (§17.1.1, RFC 6026)', () => {
  const cb = () => {
    const got: number[] = [];
    let timeout = false;
    return {
      got,
      timedOut: () => timeout,
      callbacks: { onResponse: (r: SipResponse) => got.push(r.status), onTimeout: () => (timeout = true), onTransportError: () => {} },
    };
  };

  it('Calling: Timer A doubles without cap; Timer B times out at 64*T1', () => {
    const h = harness();
    const c = cb();
    const tx = new InviteClientTransaction(request('INVITE'), h.env, c.callbacks);
    tx.start();
    const times: number[] = [];
    for (let t = 0; t < 64 * T1; t += 100) {
      const n = h.sent.length;
      h.clock.advance(100);
      if (h.sent.length > n) times.push(h.clock.now);
    }
    expect(times).toEqual([500, 1500, 3500, 7500, 15500, 31500]);
    expect(tx.currentState).toBe('terminated');
    expect(c.timedOut()).toBe(true);
  });

  it('1xx: Proceeding stops retransmissions and tells the TU', () => {
    const h = harness();
    const c = cb();
    const inv = request('INVITE');
    const tx = new InviteClientTransaction(inv, h.env, c.callbacks);
    tx.start();
    tx.handle({ type: 'response', response: responseTo(inv, 180) });
    expect(tx.currentState).toBe('proceeding');
    h.clock.advance(60_000);
    expect(h.sent).toHaveLength(1);
    expect(c.got).toEqual([180]);
    expect(tx.currentState).toBe('proceeding'); // B does not guard Proceeding
  });

  it('2xx: Accepted passes every 2xx (forks) to the TU and ends after Timer M', () => {
    const h = harness();
    const c = cb();
    const inv = request('INVITE');
    const tx = new InviteClientTransaction(inv, h.env, c.callbacks);
    tx.start();
    tx.handle({ type: 'response', response: responseTo(inv, 200) });
    tx.handle({ type: 'response', response: responseTo(inv, 200) });
    tx.handle({ type: 'response', response: responseTo(inv, 486) });
    expect(c.got).toEqual([200, 200]);
    expect(tx.currentState).toBe('accepted');
    h.clock.advance(64 * T1);
    expect(tx.currentState).toBe('terminated');
  });

  it('300-699: sends the ACK (same branch, To from the response), resends it on retransmission, Timer D', () => {
    const h = harness();
    const c = cb();
    const inv = request('INVITE');
    const tx = new InviteClientTransaction(inv, h.env, c.callbacks);
    tx.start();
    const busy = responseTo(inv, 486);
    tx.handle({ type: 'response', response: busy });
    expect(tx.currentState).toBe('completed');
    const ack = h.sent[1] as SipRequest;
    expect(ack.method).toBe('ACK');
    expect(ack.topVia().params.get('branch')).toBe('z9hG4bK-test-1');
    expect(ack.cseq()).toEqual({ seq: 1, method: 'ACK' });
    expect(ack.to().params.get('tag')).toBe('b1');
    tx.handle({ type: 'response', response: busy });
    expect(h.sent.map(statusOf)).toEqual(['INVITE', 'ACK', 'ACK']);
    expect(c.got).toEqual([486]);
    h.clock.advance(32_000);
    expect(tx.currentState).toBe('terminated');
  });

  it('reliable transport: no Timer A; Timer D is zero', () => {
    const h = harness(true);
    const c = cb();
    const inv = request('INVITE');
    const tx = new InviteClientTransaction(inv, h.env, c.callbacks);
    tx.start();
    h.clock.advance(10_000);
    expect(h.sent).toHaveLength(1);
    tx.handle({ type: 'response', response: responseTo(inv, 603) });
    h.clock.advance(0);
    expect(tx.currentState).toBe('terminated');
  });
});

describe('non-INVITE client transaction (§17.1.2)', () => {
  it('Trying: Timer E doubles to T2; Proceeding: every T2; Timer F times out', () => {
    const h = harness();
    let timedOut = false;
    const req = request('REGISTER');
    const tx = new NonInviteClientTransaction(req, h.env, {
      onResponse: () => {},
      onTimeout: () => (timedOut = true),
      onTransportError: () => {},
    });
    tx.start();
    const times: number[] = [];
    for (let t = 0; t < 64 * T1; t += 100) {
      const n = h.sent.length;
      h.clock.advance(100);
      if (h.clock.now === 4000) tx.handle({ type: 'response', response: responseTo(req, 100) });
      if (h.sent.length > n) times.push(h.clock.now);
    }
    // 500, 1500, 3500 in Trying; after the 100 at 4000 ms, every T2 from the next firing.
    expect(times.slice(0, 3)).toEqual([500, 1500, 3500]);
    expect(times[3]).toBe(7500);
    expect(times.slice(4)).toEqual([11500, 15500, 19500, 23500, 27500, 31500]);
    expect(timedOut).toBe(true);
    expect(tx.currentState).toBe('terminated');
  });

  it('final: Completed absorbs retransmissions, Timer K (T4) ends it', () => {
    const h = harness();
    const got: number[] = [];
    const req = request('OPTIONS');
    const tx = new NonInviteClientTransaction(req, h.env, {
      onResponse: (r) => got.push(r.status),
      onTimeout: () => {},
      onTransportError: () => {},
    });
    tx.start();
    tx.handle({ type: 'response', response: responseTo(req, 200) });
    tx.handle({ type: 'response', response: responseTo(req, 200) });
    expect(got).toEqual([200]);
    expect(tx.currentState).toBe('completed');
    h.clock.advance(DEFAULT_TIMERS.T4);
    expect(tx.currentState).toBe('terminated');
  });
});

describe('transaction layer matching (§17.1.3, §17.2.3)', () => {
  const udp: Peer = { transport: 'UDP', address: '192.0.2.1', port: 5060 };

  function layer() {
    const clock = new ManualClock();
    const sent: [SipRequest | SipResponse, Peer][] = [];
    const tl = new TransactionLayer({
      clock,
      send: (m, to) => sent.push([m, to]),
      sendBytes: (b, to) => sent.push([parseMessage(b), to]),
      isReliable: (t) => t !== 'UDP',
    });
    const seen: string[] = [];
    tl.tu = {
      onRequest: (req, tx) => {
        seen.push(`${req.method}${tx ? '' : ' (no tx)'}`);
        if (tx && req.method !== 'ACK') {
          if (tx instanceof InviteServerTransaction) tx.handle({ type: 'respond', response: createResponse(req, 486) });
          else tx.handle({ type: 'respond', response: createResponse(req, 200) });
        }
      },
    };
    return { tl, sent, seen, clock };
  }

  it('absorbs retransmissions and hands new requests to the TU once', () => {
    const { tl, seen, sent } = layer();
    tl.receiveRequest(request('OPTIONS'), udp);
    tl.receiveRequest(request('OPTIONS'), udp);
    expect(seen).toEqual(['OPTIONS']);
    expect(sent.map(([m]) => statusOf(m))).toEqual(['200', '200']);
  });

  it('matches the ACK of a non-2xx to the INVITE transaction; other ACKs go to the TU', () => {
    const { tl, seen } = layer();
    tl.receiveRequest(request('INVITE'), udp);
    tl.receiveRequest(request('ACK'), udp);
    tl.receiveRequest(request('ACK', 'z9hG4bK-other'), udp);
    expect(seen).toEqual(['INVITE', 'ACK (no tx)']);
  });

  it('finds the INVITE a CANCEL refers to', () => {
    const { tl } = layer();
    tl.tu = { onRequest: () => {} };
    tl.receiveRequest(request('INVITE'), udp);
    expect(tl.findInvite(request('CANCEL'))).toBeInstanceOf(InviteServerTransaction);
    expect(tl.findInvite(request('CANCEL', 'z9hG4bK-nope'))).toBeUndefined();
  });

  it('falls back to RFC 2543 matching for branches without the magic cookie', () => {
    const { tl, seen } = layer();
    tl.receiveRequest(request('OPTIONS', 'old-branch'), udp);
    tl.receiveRequest(request('OPTIONS', 'old-branch'), udp);
    tl.receiveRequest(request('REGISTER', 'old-branch'), udp);
    expect(seen).toEqual(['OPTIONS', 'REGISTER']);
  });

  it('sends responses to the Via port without rport, to the source port with it (RFC 3581)', () => {
    const req = request('OPTIONS');
    expect(TransactionLayer.responseTarget(req, { ...udp, port: 40000 }).port).toBe(5060);
    const withRport = parseMessage(Buffer.from(req.toString().replace(';branch=', ';rport;branch='))) as SipRequest;
    expect(TransactionLayer.responseTarget(withRport, { ...udp, port: 40000 }).port).toBe(40000);
  });

  it('matches responses to client transactions by branch and CSeq method, forgets them when done', () => {
    const { tl, clock } = layer();
    const got: number[] = [];
    const req = request('OPTIONS', 'z9hG4bK-client-1');
    tl.request(req, udp, { onResponse: (r) => got.push(r.status), onTimeout: () => {}, onTransportError: () => {} });
    tl.receiveResponse(responseTo(req, 200), udp);
    tl.receiveResponse(responseTo(request('OPTIONS', 'z9hG4bK-unknown'), 200), udp);
    expect(got).toEqual([200]);
    expect(tl.size.clients).toBe(1);
    clock.advance(DEFAULT_TIMERS.T4);
    expect(tl.size.clients).toBe(0);
  });
});

describe('SlottedClock', () => {
  it('fires long timers in order, within a slot of their time, and not when cancelled', async () => {
    const { SlottedClock } = await import('./timers.js');
    let now = 0;
    const clock = new SlottedClock(100, 1000, () => now);
    const fired: string[] = [];
    clock.setTimer(1500, () => fired.push('a'));
    const b = clock.setTimer(1200, () => fired.push('b'));
    clock.setTimer(3000, () => fired.push('c'));
    b.cancel();
    now = 1450;
    (clock as unknown as { tick(): void }).tick();
    expect(fired).toEqual([]);
    now = 1500;
    (clock as unknown as { tick(): void }).tick();
    expect(fired).toEqual(['a']);
    now = 5000;
    (clock as unknown as { tick(): void }).tick();
    expect(fired).toEqual(['a', 'c']);
    clock.stop();
  });
});

describe('completed non-INVITE transactions on UDP', () => {
  it('answer retransmissions with the same bytes for 64*T1, then count as new requests', () => {
    let now = 0;
    const sent: Buffer[] = [];
    const tl = new TransactionLayer({
      clock: new ManualClock(),
      now: () => now,
      send: (m) => sent.push(m.toBuffer()),
      sendBytes: (b) => sent.push(b),
      isReliable: () => false,
    });
    let requests = 0;
    tl.tu = {
      onRequest: (req, tx) => {
        requests++;
        (tx as NonInviteServerTransaction).handle({ type: 'respond', response: createResponse(req, 200) });
      },
    };
    const udp: Peer = { transport: 'UDP', address: '192.0.2.1', port: 5060 };
    tl.receiveRequest(request('REGISTER', 'z9hG4bK-abs-1'), udp);
    expect(tl.size).toMatchObject({ servers: 0, completed: 1 });
    now = 64 * T1 - 1;
    tl.receiveRequest(request('REGISTER', 'z9hG4bK-abs-1'), udp);
    expect(requests).toBe(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.equals(sent[0]!)).toBe(true);
    now = 64 * T1;
    tl.expireCompleted();
    expect(tl.size.completed).toBe(0);
    tl.receiveRequest(request('REGISTER', 'z9hG4bK-abs-1'), udp);
    expect(requests).toBe(2);
  });
});
