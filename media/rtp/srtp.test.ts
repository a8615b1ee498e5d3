// SRTP/SRTCP against numbers this code did not produce: RFC 3711 Appendix B (AES-CM
// keystream, key derivation), RFC 2202 (HMAC-SHA1), libsrtp's reference packets for
// AES_CM_128_HMAC_SHA1_80 and RFC 7714 §16-17 for AEAD_AES_128_GCM. Then what a receiver
// must refuse: a tampered packet, a replayed one, one from before its window, a foreign MKI.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesCounterMode } from './aes-cm.js';
import { HmacSha1 } from './hmac-sha1.js';
import { writeRtpHeader } from './rtp-header.js';
import { SrtpError, SrtpSession, srtpErrorName } from './srtp.js';
import { deriveSrtpSessionKeys, SrtpLabel, srtpKdf, type SrtpSessionKeys } from './srtp-key-derivation.js';
import { splitKeyingMaterial, type SrtpProfileName } from './srtp-profile.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Copies a packet into a buffer with room for the SRTP trailer. */
function roomy(packet: Uint8Array, extra = 64): Uint8Array {
  const b = new Uint8Array(packet.length + extra);
  b.set(packet);
  return b;
}

function protect(s: SrtpSession, packet: Uint8Array, rtcp = false): Uint8Array {
  const b = roomy(packet);
  const n = rtcp ? s.protectRtcp(b, packet.length) : s.protectRtp(b, packet.length);
  expect(srtpErrorName(n)).toBe('ok');
  return b.subarray(0, n);
}

function unprotect(s: SrtpSession, packet: Uint8Array, rtcp = false): Uint8Array | string {
  const b = Uint8Array.from(packet);
  const n = rtcp ? s.unprotectRtcp(b, b.length) : s.unprotectRtp(b, b.length);
  return n < 0 ? srtpErrorName(n) : b.subarray(0, n);
}

describe('RFC 3711 Appendix B', () => {
  it('B.2: the AES-CM keystream for session key 2B7E1516..., IV F0F1...FD0000', () => {
    const aes = new AesCounterMode(hex('2B7E151628AED2A6ABF7158809CF4F3C'));
    const keystream = new Uint8Array(48);
    aes.xor(hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000'), keystream, 0, 48);
    expect(toHex(keystream)).toBe(('E03EAD0935C95E80E166B16DD92B4EB4' + 'D23513162B02D0F72A43A2FE4A5F97AB' + '41E95B3BB0A2E8DD477901E4FCA894C0').toLowerCase());
  });

  it('B.3: key derivation of the cipher key, cipher salt and authentication key', () => {
    const masterKey = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
    const masterSalt = hex('0EC675AD498AFEEBB6960B3AABE6');
    expect(toHex(srtpKdf(masterKey, masterSalt, SrtpLabel.RtpEncryption, 16))).toBe('c61e7a93744f39ee10734afe3ff7a087');
    expect(toHex(srtpKdf(masterKey, masterSalt, SrtpLabel.RtpSalt, 14))).toBe('30cbbc08863d8c85d49db34a9ae1');
    // Two blocks of the auth-key stream, so the counter's step between blocks is checked too.
    expect(toHex(srtpKdf(masterKey, masterSalt, SrtpLabel.RtpAuthentication, 32))).toBe('cebe321f6ff7716b6fd4ab49af256a156d38baa48f0a0acf3c34e2359e6cdbce');
    const keys = deriveSrtpSessionKeys(masterKey, masterSalt, { key: 16, salt: 14, auth: 20 });
    expect(toHex(keys.rtpAuthKey)).toBe('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
  });
});

describe('HMAC-SHA1 without per-message allocation', () => {
  const mac = (key: Uint8Array, ...parts: Uint8Array[]): string => {
    const h = new HmacSha1(key);
    for (const p of parts) h.update(p);
    const out = new Uint8Array(20);
    h.digestInto(out);
    return toHex(out);
  };

  it('gives the RFC 2202 test case digests (short key, ASCII key, key longer than a block)', () => {
    expect(mac(Buffer.alloc(20, 0x0b), Buffer.from('Hi There'))).toBe('b617318655057264e28bc0b6fb378c8ef146be00');
    expect(mac(Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'))).toBe('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
    expect(mac(Buffer.alloc(80, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'))).toBe(
      'aa4ae5e15272d00e95705637ce8a3b55ed402112',
    );
  });

  it('agrees with node:crypto for every message length 0-300, split anywhere, key reused', () => {
    let seed = 7;
    const byte = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const key = Uint8Array.from({ length: 20 }, byte);
    const h = new HmacSha1(key);
    const out = new Uint8Array(20);
    for (let n = 0; n <= 300; n++) {
      const msg = Uint8Array.from({ length: n }, byte);
      const cut = Math.floor(n / 3);
      h.start().update(msg, 0, cut).update(msg, cut).updateUint32(0xdeadbeef).digestInto(out);
      const ref = createHmac('sha1', key).update(msg).update(hex('deadbeef')).digest('hex');
      expect(toHex(out), `length ${n}`).toBe(ref);
    }
  });
});

describe('AES_CM_128_HMAC_SHA1_80', () => {
  // libsrtp's srtp_validate(): master key || salt, SSRC 0xcafebabe.
  const keying = hex('e1f97a0d3e018be0d64fa32c06de4139 0ec675ad498afeebb6960b3aabe6');
  const material = splitKeyingMaterial('AES_CM_128_HMAC_SHA1_80', keying);
  const rtpPlain = hex('800f1234 decafbad cafebabe abababab abababab abababab abababab');
  const srtpWire = hex('800f1234 decafbad cafebabe 4e55dc4c e79978d8 8ca4d215 949d2402 b78d6acc 99ea179b 8dbb');
  const rtcpPlain = hex('81c8000b cafebabe abababab abababab abababab abababab');
  const srtcpWire = hex('81c8000b cafebabe 7128035b e487b9bd bef89041 f977a5a8 80000001 993e08cd 54d6c123 0798');

  it("protects libsrtp's reference RTP packet to libsrtp's bytes, and unprotects them", () => {
    expect(toHex(protect(SrtpSession.fromMasterKey(material), rtpPlain))).toBe(toHex(srtpWire));
    expect(toHex(unprotect(SrtpSession.fromMasterKey(material), srtpWire) as Uint8Array)).toBe(toHex(rtpPlain));
  });

  it("protects libsrtp's reference RTCP packet (its second, index 1) and unprotects it", () => {
    const sender = SrtpSession.fromMasterKey(material);
    const first = protect(sender, rtcpPlain, true);
    // §3.4: the first SRTCP packet carries index 0 (libsrtp's reference is its second).
    expect(toHex(first.subarray(first.length - 14, first.length - 10))).toBe('80000000');
    expect(toHex(protect(sender, rtcpPlain, true))).toBe(toHex(srtcpWire));
    expect(toHex(unprotect(SrtpSession.fromMasterKey(material), srtcpWire, true) as Uint8Array)).toBe(toHex(rtcpPlain));
  });

  it('refuses the reference packet with any one bit flipped: header, payload or tag', () => {
    for (const at of [2, 8, 12, 27, 28, 37]) {
      const tampered = Buffer.from(srtpWire);
      tampered[at]! ^= 0x01;
      expect(unprotect(SrtpSession.fromMasterKey(material), tampered), `byte ${at}`).toBe('auth-failed');
    }
    const tamperedRtcp = Buffer.from(srtcpWire);
    tamperedRtcp[10]! ^= 0x80;
    expect(unprotect(SrtpSession.fromMasterKey(material), tamperedRtcp, true)).toBe('auth-failed');
  });

  it('refuses a packet under another key', () => {
    const other = splitKeyingMaterial('AES_CM_128_HMAC_SHA1_80', Buffer.alloc(30, 7));
    expect(unprotect(SrtpSession.fromMasterKey(other), srtpWire)).toBe('auth-failed');
  });

  it('carries an MKI between payload and tag and refuses a packet with a different one', () => {
    const mki = hex('00000001');
    const sender = SrtpSession.fromMasterKey({ ...material, mki });
    const wire = protect(sender, rtpPlain);
    expect(wire.length).toBe(rtpPlain.length + 4 + 10);
    expect(toHex(wire.subarray(28, 32))).toBe('00000001');
    // Same key stream and tag as without MKI: the MKI is not authenticated (§3.1).
    expect(toHex(wire.subarray(12, 28))).toBe(toHex(srtpWire.subarray(12, 28)));
    expect(toHex(wire.subarray(32))).toBe(toHex(srtpWire.subarray(28)));
    expect(toHex(unprotect(SrtpSession.fromMasterKey({ ...material, mki }), wire) as Uint8Array)).toBe(toHex(rtpPlain));
    expect(unprotect(SrtpSession.fromMasterKey({ ...material, mki: hex('00000002') }), wire)).toBe('bad-mki');
  });

  it('splits SDES inline key material at the key length and refuses the wrong length', () => {
    expect(toHex(material.masterKey)).toBe('e1f97a0d3e018be0d64fa32c06de4139');
    expect(toHex(material.masterSalt)).toBe('0ec675ad498afeebb6960b3aabe6');
    expect(() => splitKeyingMaterial('AES_CM_128_HMAC_SHA1_80', keying.subarray(0, 29))).toThrow(/30 bytes/);
  });
});

describe('AEAD_AES_128_GCM (RFC 7714)', () => {
  // §16: "The 16-octet (128-bit) key is 00 01 02 ... 0f"; the salt is "Quid pro quo". The
  // RFC gives session keys, not a master key, so the session is built from them directly.
  const keys: SrtpSessionKeys = {
    rtpKey: hex('000102030405060708090a0b0c0d0e0f'),
    rtpSalt: Buffer.from('Quid pro quo'),
    rtpAuthKey: new Uint8Array(0),
    rtcpKey: hex('000102030405060708090a0b0c0d0e0f'),
    rtcpSalt: Buffer.from('Quid pro quo'),
    rtcpAuthKey: new Uint8Array(0),
  };
  const gcm = (): SrtpSession => new SrtpSession('AEAD_AES_128_GCM', keys);
  const rtpPlain = hex(`8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
                        69736120 696e2070 61727465 73207472 6573`);
  const rtpWire = hex(`8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
                       0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce`);
  const rtcpPlain = hex(`81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
                         deadbeef deadbeef deadbeef deadbeef deadbeef`);
  const rtcpWire = hex(`81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d
                        c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872
                        45d9eade 800005d4`);
  const rtcpTagged = hex(`81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
                          deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968 3dd78ec9 2ae58790
                          125f62b3 000005d4`);

  it('§16.1.1/16.1.2: encrypts and tags the example packet to the RFC bytes, and back', () => {
    expect(toHex(protect(gcm(), rtpPlain))).toBe(toHex(rtpWire));
    expect(toHex(unprotect(gcm(), rtpWire) as Uint8Array)).toBe(toHex(rtpPlain));
  });

  it('§17.1: encrypts the example RTCP packet with SRTCP index 0x5d4 to the RFC bytes, and back', () => {
    const sender = gcm();
    // The index is the sender's own count of SRTCP packets: send 0x5d4 of them first.
    for (let i = 0; i < 0x5d4; i++) protect(sender, rtcpPlain, true);
    expect(toHex(protect(sender, rtcpPlain, true))).toBe(toHex(rtcpWire));
    expect(toHex(unprotect(gcm(), rtcpWire, true) as Uint8Array)).toBe(toHex(rtcpPlain));
  });

  it('§17.3: accepts an authenticated but unencrypted SRTCP packet (E = 0)', () => {
    expect(toHex(unprotect(gcm(), rtcpTagged, true) as Uint8Array)).toBe(toHex(rtcpPlain));
    const tampered = Buffer.from(rtcpTagged);
    tampered[20]! ^= 1;
    expect(unprotect(gcm(), tampered, true)).toBe('auth-failed');
  });

  it('refuses the RFC packet with one bit flipped in the header, ciphertext or tag', () => {
    for (const at of [3, 12, 30, rtpWire.length - 1]) {
      const tampered = Buffer.from(rtpWire);
      tampered[at]! ^= 0x01;
      expect(unprotect(gcm(), tampered), `byte ${at}`).toBe('auth-failed');
    }
  });
});

describe.each<SrtpProfileName>(['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'])('%s streams', (profile) => {
  const keying = Uint8Array.from({ length: profile === 'AEAD_AES_128_GCM' ? 28 : 30 }, (_, i) => (i * 37 + 11) & 0xff);
  const pair = (): [SrtpSession, SrtpSession] => [
    SrtpSession.fromMasterKey(splitKeyingMaterial(profile, keying)),
    SrtpSession.fromMasterKey(splitKeyingMaterial(profile, keying)),
  ];
  const rtp = (seq: number): Uint8Array => {
    const p = new Uint8Array(12 + 160);
    writeRtpHeader(p, 0, seq, seq * 160, 0x12345678);
    for (let i = 12; i < p.length; i++) p[i] = (seq + i) & 0xff;
    return p;
  };

  it('round-trips through a sequence-number wrap (the ROC moves on), with reordering across it', () => {
    const [tx, rx] = pair();
    const seqs = Array.from({ length: 200 }, (_, i) => (65436 + i) & 0xffff);
    const wire = seqs.map((s) => protect(tx, rtp(s)));
    // Deliver with neighbours swapped, including the pair either side of the wrap.
    const order = seqs.map((_, i) => (i % 2 === 0 ? i + 1 : i - 1));
    for (const i of order) {
      const got = unprotect(rx, wire[i]!);
      expect(got, `seq ${seqs[i]}`).toBeInstanceOf(Uint8Array);
      expect(toHex(got as Uint8Array)).toBe(toHex(rtp(seqs[i]!)));
    }
    // After the wrap the ciphertext differs from what ROC 0 would give for the same SEQ.
    const [tx2] = pair();
    expect(toHex(protect(tx2, rtp(5)))).not.toBe(toHex(wire[seqs.indexOf(5)]!));
  });

  it('refuses a replayed packet and one older than the 128-packet window, and keeps going', () => {
    const [tx, rx] = pair();
    const wire = Array.from({ length: 300 }, (_, i) => protect(tx, rtp(1000 + i)));
    expect(unprotect(rx, wire[0]!)).toBeInstanceOf(Uint8Array);
    expect(unprotect(rx, wire[0]!)).toBe('replayed');
    for (let i = 2; i < 300; i++) unprotect(rx, wire[i]!);
    // wire[1] never arrived but is now 298 behind: it cannot be told from a replay.
    expect(unprotect(rx, wire[1]!)).toBe('too-old');
    expect(unprotect(rx, wire[299]!)).toBe('replayed');
    expect(rx.toJSON()).toMatchObject({ rtpUnprotected: 299, replays: 3 });
  });

  it('refuses replayed SRTCP and counts the SRTCP index up from 0', () => {
    const [tx, rx] = pair();
    const report = hex('80c90001 12345678');
    const first = protect(tx, report, true);
    const second = protect(tx, report, true);
    expect(toHex(unprotect(rx, second, true) as Uint8Array)).toBe(toHex(report));
    expect(toHex(unprotect(rx, first, true) as Uint8Array)).toBe(toHex(report));
    expect(unprotect(rx, second, true)).toBe('replayed');
  });

  it('creates no receive state for packets that do not authenticate (a spray at the port)', () => {
    const [, rx] = pair();
    for (let i = 0; i < 100; i++) {
      const junk = rtp(i);
      junk[8] = i; // a different SSRC each time
      const b = roomy(junk);
      expect(rx.unprotectRtp(b, junk.length + rx.rtpOverhead)).toBe(SrtpError.AuthFailed);
    }
    expect(rx.toJSON()).toMatchObject({ authFailures: 100, streams: { receive: 0 } });
  });

  it('answers short, malformed and unroomy packets with an error code, not an exception', () => {
    const [tx, rx] = pair();
    expect(rx.unprotectRtp(new Uint8Array(12), 12)).toBe(SrtpError.TooShort);
    const bad = roomy(rtp(1));
    bad[0] = 0x40;
    expect(tx.protectRtp(bad, 172)).toBe(SrtpError.BadHeader);
    expect(tx.protectRtp(rtp(1), 172)).toBe(SrtpError.NoRoom);
    expect(rx.unprotectRtcp(new Uint8Array(10), 10)).toBe(SrtpError.TooShort);
  });
});
