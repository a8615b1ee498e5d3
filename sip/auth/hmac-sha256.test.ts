import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from './hmac-sha256.js';

const reference = (key: Buffer, data: Buffer): string => createHmac('sha256', key).update(data).digest('hex');

describe('HmacSha256', () => {
  it('matches RFC 4231 test case 2 (key "Jefe")', () => {
    const mac = new HmacSha256(Buffer.from('Jefe'));
    const data = Buffer.from('what do ya want for nothing?');
    expect(Buffer.from(mac.mac(data, data.length)).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('matches node:crypto for every length across the one- and two-block paddings, and beyond', () => {
    const key = randomBytes(32);
    const mac = new HmacSha256(key);
    const data = randomBytes(300);
    for (let n = 0; n <= 300; n++) {
      expect(Buffer.from(mac.mac(data, n)).toString('hex'), `length ${n}`).toBe(reference(key, data.subarray(0, n)));
    }
  });

  it('hashes keys longer than a block first, as RFC 2104 says', () => {
    for (const len of [63, 64, 65, 131]) {
      const key = randomBytes(len);
      const data = randomBytes(40);
      expect(Buffer.from(new HmacSha256(key).mac(data, data.length)).toString('hex')).toBe(reference(key, data));
    }
  });

  it('gives the same answer on repeated use (no state leaks between calls)', () => {
    const key = randomBytes(32);
    const mac = new HmacSha256(key);
    const a = randomBytes(100);
    const b = randomBytes(7);
    const first = Buffer.from(mac.mac(a, 100)).toString('hex');
    mac.mac(b, 7);
    expect(Buffer.from(mac.mac(a, 100)).toString('hex')).toBe(first);
  });
});
