// Content-Length framing on streams (RFC 3261 §18.3) and CRLF keep-alives
// (RFC 5626 §4.4.1), fed chunk by chunk without sockets: what comes out is exactly
// the messages that went in, whatever the chunking.
import { describe, expect, it } from 'vitest';
import { StreamFramer, type FramerSink } from './stream-framer.js';
import { parseMessage } from '../message/parse.js';

function msg(callId: string, body = '', clName = 'Content-Length'): string {
  return (
    `OPTIONS sip:bob@example.com SIP/2.0\r\n` +
    `Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-${callId}\r\n` +
    `From: <sip:alice@example.com>;tag=a\r\n` +
    `To: <sip:bob@example.com>\r\n` +
    `Call-ID: ${callId}\r\n` +
    `CSeq: 1 OPTIONS\r\n` +
    `${clName}: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function harness(max = 65_535) {
  const frames: string[] = [];
  const sizes: number[] = [];
  const errors: string[] = [];
  let pings = 0;
  const sink: FramerSink = {
    frame: (m) => {
      frames.push(m.toString('utf8'));
      sizes.push(m.length);
    },
    ping: () => pings++,
    framingError: (why) => errors.push(why),
  };
  const framer = new StreamFramer(sink, max);
  return { framer, frames, sizes, errors, pings: () => pings };
}

function feed(framer: StreamFramer, text: string | Buffer, sizes: number[] | number = Infinity): void {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  let i = 0;
  let k = 0;
  while (i < buf.length) {
    const n = Array.isArray(sizes) ? sizes[k++ % sizes.length]! : sizes;
    framer.push(buf.subarray(i, Math.min(buf.length, i + n)));
    i += n;
  }
}

describe('StreamFramer', () => {
  it('splits three messages written at once', () => {
    const h = harness();
    const three = [msg('a'), msg('b', 'v=0\r\n'), msg('c')];
    feed(h.framer, three.join(''));
    expect(h.frames).toEqual(three);
    expect(h.framer.inMessage).toBe(false);
  });

  it('joins a message that arrives one byte at a time', () => {
    const h = harness();
    const m = msg('slow', 'hello body');
    feed(h.framer, m, 1);
    expect(h.frames).toEqual([m]);
  });

  it('frames any chunking of a message stream identically', () => {
    const stream = [msg('1', 'x'), msg('2'), msg('3', 'a'.repeat(300)), msg('4', '\r\n\r\n'), msg('5')];
    for (const sizes of [[1], [2], [3], [7], [13, 1, 200], [64], [500, 3], [4096]]) {
      const h = harness();
      feed(h.framer, stream.join(''), sizes);
      expect(h.frames, `chunks ${sizes.join(',')}`).toEqual(stream);
      expect(h.errors).toEqual([]);
    }
  });

  it('takes a body containing CRLFCRLF by its length, not by the blank line', () => {
    const h = harness();
    const body = 'line one\r\n\r\nINVITE sip:x SIP/2.0\r\n\r\n';
    const first = msg('body', body);
    feed(h.framer, first + msg('next'));
    expect(h.frames).toEqual([first, msg('next')]);
    expect(parseMessage(Buffer.from(h.frames[0]!), { datagram: false }).body.toString()).toBe(body);
  });

  it('reads the compact form "l" and any case of Content-Length', () => {
    const h = harness();
    const a = msg('compact', 'abc', 'l');
    const b = msg('upper', 'abcd', 'CONTENT-LENGTH');
    const c = msg('spaced', 'abcde', 'content-length ');
    feed(h.framer, a + b + c);
    expect(h.frames).toEqual([a, b, c]);
  });

  it('does not mistake a header that merely starts like Content-Length', () => {
    const h = harness();
    const m = msg('lookalike', 'xy').replace('Call-ID', 'Content-Language: en\r\nLink: <x>\r\nCall-ID');
    feed(h.framer, m, 5);
    expect(h.frames).toEqual([m]);
  });

  it('answers a double CRLF between messages with a ping, ignores a single one', () => {
    const h = harness();
    feed(h.framer, `\r\n\r\n${msg('a')}\r\n${msg('b')}\r\n\r\n`);
    expect(h.frames).toEqual([msg('a'), msg('b')]);
    expect(h.pings()).toBe(2);
  });

  it('recognises a ping split across chunks', () => {
    const h = harness();
    feed(h.framer, '\r\n\r\n\r\n\r\n', 1);
    expect(h.pings()).toBe(2);
    expect(h.frames).toEqual([]);
  });

  it('fails on a message without Content-Length (RFC 4475 mcl01/ncl on a stream)', () => {
    const h = harness();
    const noLength = msg('ncl').replace(/Content-Length: 0\r\n/, '');
    feed(h.framer, noLength + msg('after'));
    expect(h.errors).toEqual(['no Content-Length on a stream']);
    expect(h.frames).toEqual([]);
  });

  it('fails on a negative, non-numeric or conflicting Content-Length', () => {
    for (const bad of ['-5', 'five', '12abc', '99999999999']) {
      const h = harness();
      feed(h.framer, msg('bad').replace('Content-Length: 0', `Content-Length: ${bad}`));
      expect(h.errors, bad).toEqual(['unreadable Content-Length']);
    }
    const h = harness();
    feed(h.framer, msg('two').replace('Content-Length: 0', 'Content-Length: 0\r\nl: 4'));
    expect(h.errors).toEqual(['conflicting Content-Length values']);
  });

  it('fails once a header block grows past the size limit, and stops framing', () => {
    const h = harness(1024);
    feed(h.framer, `OPTIONS sip:x SIP/2.0\r\nX-Junk: ${'a'.repeat(2000)}`, 100);
    expect(h.errors).toEqual(['header block larger than the message size limit']);
    feed(h.framer, msg('later'));
    expect(h.frames).toEqual([]);
  });

  it('fails at once on a Content-Length that would exceed the limit, without waiting for the body', () => {
    const h = harness(1024);
    feed(h.framer, msg('big').replace('Content-Length: 0', 'Content-Length: 5000'));
    expect(h.errors).toEqual(['message larger than the size limit']);
  });

  it('accepts a message of exactly the limit', () => {
    const m0 = msg('edge');
    const body = 'b'.repeat(2048 - Buffer.byteLength(m0) - 2);
    const m = msg('edge', body);
    const h = harness(Buffer.byteLength(m));
    feed(h.framer, m, 100);
    expect(h.frames).toEqual([m]);
    const tight = harness(Buffer.byteLength(m) - 1);
    feed(tight.framer, m, 100);
    expect(tight.errors).toEqual(['message larger than the size limit']);
  });

  it('hands out messages that later chunks do not overwrite', () => {
    const got: Buffer[] = [];
    const framer = new StreamFramer({ frame: (m) => got.push(m), ping: () => undefined, framingError: () => undefined }, 65_535);
    const stream = Buffer.from(msg('one', 'first body') + msg('two', 'second body!'));
    feed(framer, stream, 17);
    expect(got.map((b) => b.toString())).toEqual([msg('one', 'first body'), msg('two', 'second body!')]);
  });

  it('reports inMessage while a message is partly received', () => {
    const h = harness();
    feed(h.framer, '\r\n\r\n');
    expect(h.framer.inMessage).toBe(false);
    feed(h.framer, 'OPTIONS sip:x SIP/2.0\r\n');
    expect(h.framer.inMessage).toBe(true);
    feed(h.framer, msg('x').slice('OPTIONS sip:x SIP/2.0\r\n'.length));
    // The rest of a different start line is still one header block ending in Content-Length: 0.
    expect(h.frames).toHaveLength(1);
    expect(h.framer.inMessage).toBe(false);
  });

  it('never throws on mutated or random input, and frames only what fits the limit (bounded fuzz)', () => {
    // A fixed-seed generator: the same 2,000 cases on every run.
    let seed = 0x5eed;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const base = Buffer.from(msg('fuzz-a', 'body\r\n\r\nmore') + '\r\n\r\n' + msg('fuzz-b', 'x'.repeat(40)));
    for (let round = 0; round < 2_000; round++) {
      const input = round % 4 === 0 ? Buffer.from(Array.from({ length: 1 + rand(600) }, () => rand(256))) : Buffer.from(base);
      for (let k = rand(8); round % 4 !== 0 && k >= 0; k--) input[rand(input.length)] = rand(256);
      const h = harness(400);
      expect(() => feed(h.framer, input, 1 + rand(64))).not.toThrow();
      for (const size of h.sizes) expect(size).toBeLessThanOrEqual(400);
      expect(h.errors.length).toBeLessThanOrEqual(1);
    }
  });
});
