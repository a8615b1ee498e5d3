import { describe, expect, it } from 'vitest';
import { RecordingUrlSigner } from './recording-urls.js';

const KEY = Buffer.alloc(32, 7);
const BASE = 'http://sb.example:8080';

function signerAt(ms: number, key = KEY) {
  let t = ms;
  return { s: new RecordingUrlSigner(key, () => new Date(t)), advance: (d: number) => (t += d) };
}

function parts(url: string) {
  const u = new URL(url);
  return { path: u.pathname, expires: u.searchParams.get('expires')!, signature: u.searchParams.get('signature')! };
}

describe('recording URL signing', () => {
  it('signs a download URL that expires in 24 h and verifies', () => {
    const { s } = signerAt(Date.parse('2026-03-08T12:00:00Z'));
    const signed = s.sign('rec_abc', BASE);
    expect(signed.expiresAt.toISOString()).toBe('2026-03-09T12:00:00.000Z');
    const p = parts(signed.url);
    expect(signed.url.startsWith(`${BASE}/api/v1/voice/recordings/rec_abc/download?`)).toBe(true);
    expect(p.expires).toBe(String(Date.parse('2026-03-09T12:00:00Z') / 1000));
    expect(p.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(s.verify('rec_abc', p.expires, p.signature)).toBe('ok');
  });

  it('is still good one second before expiry and expired one second after', () => {
    const { s, advance } = signerAt(Date.parse('2026-03-08T12:00:00Z'));
    const p = parts(s.sign('rec_abc', BASE).url);
    advance(24 * 3600_000 - 1000);
    expect(s.verify('rec_abc', p.expires, p.signature)).toBe('ok');
    advance(2000);
    expect(s.verify('rec_abc', p.expires, p.signature)).toBe('expired');
  });

  it('rejects a signature moved to another recording, a pushed-out expiry and a flipped bit', () => {
    const { s } = signerAt(Date.now());
    const p = parts(s.sign('rec_abc', BASE).url);
    expect(s.verify('rec_other', p.expires, p.signature)).toBe('invalid');
    expect(s.verify('rec_abc', String(Number(p.expires) + 3600), p.signature)).toBe('invalid');
    const flipped = (p.signature[0] === '0' ? '1' : '0') + p.signature.slice(1);
    expect(s.verify('rec_abc', p.expires, flipped)).toBe('invalid');
  });

  it('rejects malformed or missing parameters without throwing', () => {
    const { s } = signerAt(Date.now());
    const p = parts(s.sign('rec_abc', BASE).url);
    expect(s.verify('rec_abc', undefined, p.signature)).toBe('invalid');
    expect(s.verify('rec_abc', p.expires, undefined)).toBe('invalid');
    expect(s.verify('rec_abc', p.expires, p.signature.slice(2))).toBe('invalid');
    expect(s.verify('rec_abc', p.expires, 'g'.repeat(64))).toBe('invalid');
    expect(s.verify('rec_abc', `${p.expires}.0`, p.signature)).toBe('invalid');
    expect(s.verify('rec_abc', [p.expires], p.signature)).toBe('invalid');
  });

  it("does not accept another server's signature (another key)", () => {
    const a = signerAt(Date.now()).s;
    const b = signerAt(Date.now(), Buffer.alloc(32, 8)).s;
    const p = parts(a.sign('rec_abc', BASE).url);
    expect(b.verify('rec_abc', p.expires, p.signature)).toBe('invalid');
  });
});
