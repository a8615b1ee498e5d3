// SRTP and SRTCP (RFC 3711) for SDES-keyed streams (RFC 4568): AES_CM_128_HMAC_SHA1_80
// and AEAD_AES_128_GCM (RFC 7714), in place on the caller's packet buffer.
//
// One SrtpSession per key, i.e. per direction: the key in our crypto line protects what we
// send, the far end's key unprotects what we receive. Within a session each SSRC has its
// own cryptographic state (§3.2.1: ROC, highest sequence number, replay list, SRTCP
// index), kept in a small map. A receive-side state is created only once a packet from
// that SSRC has authenticated, so packets sprayed at the port cannot grow the map; at most
// 16 SSRCs are tracked per session, the least recently created making way.
//
//   protectRtp(buf, len)    -> new length (len + overhead) | SrtpError (negative)
//   unprotectRtp(buf, len)  -> plaintext length           | SrtpError
//   (and the same for RTCP)
//
// `buf` must have room for the overhead after `len` when protecting. Nothing throws on a
// bad packet. Allocation per packet: AES-CM allocates one keystream Buffer inside
// node:crypto; AES-GCM allocates a cipher object and its output (see the transforms).
import { readU32 } from './rtp-header.js';
import { DEFAULT_REPLAY_WINDOW, ReplayCheck, ReplayWindow } from './replay-window.js';
import { AesCmTransform } from './srtp-aes-cm-transform.js';
import { AesGcmTransform } from './srtp-aes-gcm-transform.js';
import { SrtpIndexState } from './srtp-index.js';
import { deriveSrtpSessionKeys, type SrtpSessionKeys } from './srtp-key-derivation.js';
import { SRTP_PROFILES, type SrtpMasterKey, type SrtpProfileName } from './srtp-profile.js';
import { SrtpError, type SrtpTransform } from './srtp-transform.js';

export { SrtpError, srtpErrorName } from './srtp-transform.js';

const MAX_STREAMS = 16;
const MAX_SRTCP_INDEX = 0x7fffffff;
/** §3.2.1: a master key protects at most 2^48 SRTP packets. */
const MAX_SRTP_INDEX = 2 ** 48 - 1;

export interface SrtpSessionOptions {
  /** Replay window in packets (default 128; RFC 3711 §3.3.2 asks for at least 64). */
  replayWindow?: number;
  /** Largest packet handled, trailer excluded (default 2048). */
  maxPacketBytes?: number;
  /** Master Key Identifier carried in every packet (AES-CM only). */
  mki?: Uint8Array;
}

interface SendState {
  index: SrtpIndexState;
  rtcpIndex: number;
}

interface ReceiveState {
  index: SrtpIndexState;
  replay: ReplayWindow;
  rtcpReplay: ReplayWindow;
}

/** Bytes of the RTP header SRTP leaves in the clear (fixed header, CSRCs, extension); -1 if malformed. */
function clearHeaderLength(b: Uint8Array, end: number): number {
  if (end < 12 || b[0]! >>> 6 !== 2) return -1;
  let o = 12 + 4 * (b[0]! & 0x0f);
  if (b[0]! & 0x10) {
    if (o + 4 > end) return -1;
    o += 4 + 4 * ((b[o + 2]! << 8) | b[o + 3]!);
  }
  return o > end ? -1 : o;
}

export class SrtpSession {
  readonly profile: SrtpProfileName;
  readonly rtpOverhead: number;
  readonly rtcpOverhead: number;
  private readonly transform: SrtpTransform;
  private readonly send = new Map<number, SendState>();
  private readonly receive = new Map<number, ReceiveState>();
  private readonly replayWindow: number;

  readonly stats = {
    rtpProtected: 0,
    rtpUnprotected: 0,
    rtcpProtected: 0,
    rtcpUnprotected: 0,
    authFailures: 0,
    replays: 0,
    otherErrors: 0,
  };

  /** From session keys already derived (see `fromMasterKey` for SDES key material). */
  constructor(profile: SrtpProfileName, keys: SrtpSessionKeys, options: SrtpSessionOptions = {}) {
    this.profile = profile;
    const max = options.maxPacketBytes ?? 2048;
    this.replayWindow = options.replayWindow ?? DEFAULT_REPLAY_WINDOW;
    new ReplayWindow(this.replayWindow); // validates the size up front
    if (SRTP_PROFILES[profile].aead) {
      if (options.mki && options.mki.length > 0) throw new RangeError('MKI is supported with AES_CM_128_HMAC_SHA1_80 only');
      this.transform = new AesGcmTransform(keys, max);
    } else {
      this.transform = new AesCmTransform(keys, options.mki, max);
    }
    this.rtpOverhead = this.transform.rtpOverhead;
    this.rtcpOverhead = this.transform.rtcpOverhead;
  }

  /** Derives the session keys (RFC 3711 §4.3, key derivation rate 0) and builds a session. */
  static fromMasterKey(key: SrtpMasterKey, options: SrtpSessionOptions = {}): SrtpSession {
    const p = SRTP_PROFILES[key.profile];
    if (key.masterKey.length !== p.keyBytes || key.masterSalt.length !== p.saltBytes) {
      throw new RangeError(`${key.profile} takes a ${p.keyBytes}-byte key and a ${p.saltBytes}-byte salt`);
    }
    const keys = deriveSrtpSessionKeys(key.masterKey, key.masterSalt, { key: p.keyBytes, salt: p.saltBytes, auth: p.authKeyBytes });
    return new SrtpSession(key.profile, keys, key.mki ? { ...options, mki: key.mki } : options);
  }

  /** Encrypts and tags the RTP packet `buf[0..length)` in place. */
  protectRtp(buf: Uint8Array, length: number): number {
    const header = clearHeaderLength(buf, length);
    if (header < 0) return this.fail(SrtpError.BadHeader);
    if (length + this.rtpOverhead > buf.length) return this.fail(SrtpError.NoRoom);
    const ssrc = readU32(buf, 8);
    const seq = (buf[2]! << 8) | buf[3]!;
    const state = this.sendState(ssrc);
    // The sender tracks its own ROC with the same rule: it increments as SEQ wraps.
    const roc = state.index.guessRoc(seq);
    if (roc < 0) return this.fail(SrtpError.TooOld);
    if (SrtpIndexState.index(roc, seq) > MAX_SRTP_INDEX) return this.fail(SrtpError.IndexExhausted);
    const end = this.transform.encryptRtp(buf, header, length, ssrc, roc, seq);
    if (end < 0) return this.fail(end);
    state.index.commit(roc, seq);
    this.stats.rtpProtected++;
    return end;
  }

  /** Verifies, replay-checks and decrypts the SRTP packet `buf[0..length)` in place. */
  unprotectRtp(buf: Uint8Array, length: number): number {
    if (length < 12 + this.rtpOverhead) return this.fail(SrtpError.TooShort);
    const header = clearHeaderLength(buf, length - this.rtpOverhead);
    if (header < 0) return this.fail(SrtpError.BadHeader);
    const ssrc = readU32(buf, 8);
    const seq = (buf[2]! << 8) | buf[3]!;
    const state = this.receive.get(ssrc);
    const roc = state ? state.index.guessRoc(seq) : 0;
    if (roc < 0) return this.fail(SrtpError.TooOld);
    const index = SrtpIndexState.index(roc, seq);
    if (state) {
      const check = state.replay.check(index);
      if (check !== ReplayCheck.Fresh) return this.fail(check === ReplayCheck.Replayed ? SrtpError.Replayed : SrtpError.TooOld);
    }
    const end = this.transform.decryptRtp(buf, header, length, ssrc, roc, seq);
    if (end < 0) return this.fail(end);
    const s = state ?? this.newReceiveState(ssrc);
    s.index.commit(roc, seq);
    s.replay.accept(index);
    this.stats.rtpUnprotected++;
    return end;
  }

  /** Encrypts and tags the (compound) RTCP packet `buf[0..length)` in place. */
  protectRtcp(buf: Uint8Array, length: number): number {
    if (length < 8) return this.fail(SrtpError.TooShort);
    if (length + this.rtcpOverhead > buf.length) return this.fail(SrtpError.NoRoom);
    const state = this.sendState(readU32(buf, 4));
    // §3.4: the index starts at zero and goes up by one per SRTCP packet; it never wraps.
    if (state.rtcpIndex > MAX_SRTCP_INDEX) return this.fail(SrtpError.IndexExhausted);
    const end = this.transform.encryptRtcp(buf, length, readU32(buf, 4), state.rtcpIndex);
    if (end < 0) return this.fail(end);
    state.rtcpIndex++;
    this.stats.rtcpProtected++;
    return end;
  }

  /** Verifies, replay-checks and decrypts the SRTCP packet `buf[0..length)` in place. */
  unprotectRtcp(buf: Uint8Array, length: number): number {
    if (length < 8 + this.rtcpOverhead) return this.fail(SrtpError.TooShort);
    if (buf[0]! >>> 6 !== 2) return this.fail(SrtpError.BadHeader);
    const ssrc = readU32(buf, 4);
    const word = readU32(buf, this.transform.rtcpIndexAt(length));
    const encrypted = word >>> 31 === 1;
    const index = word & MAX_SRTCP_INDEX;
    const state = this.receive.get(ssrc);
    if (state) {
      const check = state.rtcpReplay.check(index);
      if (check !== ReplayCheck.Fresh) return this.fail(check === ReplayCheck.Replayed ? SrtpError.Replayed : SrtpError.TooOld);
    }
    const end = this.transform.decryptRtcp(buf, length, ssrc, index, encrypted);
    if (end < 0) return this.fail(end);
    (state ?? this.newReceiveState(ssrc)).rtcpReplay.accept(index);
    this.stats.rtcpUnprotected++;
    return end;
  }

  private sendState(ssrc: number): SendState {
    let s = this.send.get(ssrc);
    if (!s) {
      if (this.send.size >= MAX_STREAMS) this.send.delete(this.send.keys().next().value!);
      s = { index: new SrtpIndexState(), rtcpIndex: 0 };
      this.send.set(ssrc, s);
    }
    return s;
  }

  private newReceiveState(ssrc: number): ReceiveState {
    if (this.receive.size >= MAX_STREAMS) this.receive.delete(this.receive.keys().next().value!);
    const s = { index: new SrtpIndexState(), replay: new ReplayWindow(this.replayWindow), rtcpReplay: new ReplayWindow(this.replayWindow) };
    this.receive.set(ssrc, s);
    return s;
  }

  private fail(code: number): number {
    if (code === SrtpError.AuthFailed) this.stats.authFailures++;
    else if (code === SrtpError.Replayed || code === SrtpError.TooOld) this.stats.replays++;
    else this.stats.otherErrors++;
    return code;
  }

  toJSON(): Record<string, unknown> {
    return { profile: this.profile, ...this.stats, streams: { send: this.send.size, receive: this.receive.size } };
  }
}
