// What our side brings to an offer or an answer: where we receive, which codecs in which order,
// and the injected randomness for session ids and SRTP keys.
import { randomBytes, randomFillSync } from 'node:crypto';
import { isIP } from 'node:net';
import { parseCodecSpec, type CodecSpec } from './codec-catalog.js';
import { SRTP_SUITES, isSrtpSuite, type SrtpSuite } from './crypto-attribute.js';
import { isDirection, type Direction } from './direction.js';

export interface LocalCrypto {
  /** Suites in preference order: what an offer lists, what an answer accepts. Default: both we implement. */
  suites?: readonly SrtpSuite[];
  /**
   * required (default): offers are RTP/SAVP, and plain-RTP offers are refused (488).
   * optional: offers are RTP/AVP with a=crypto lines ("best-effort SRTP", which desk phones call
   * "optional SRTP"), and a plain RTP/AVP offer is answered with plain RTP.
   */
  mode?: 'required' | 'optional';
}

export interface LocalMedia {
  /** Our RTP address (IPv4 or IPv6 literal); written in c= and o=. */
  address: string;
  /** Our RTP port; RTCP is on port + 1 unless rtcp-mux is agreed. */
  port: number;
  /** Priority list: "PCMU", "PCMA", "G722", "opus", "L16" or "L16/16000" (L16 alone: any of 8, 16, 48 kHz). */
  codecs: readonly string[];
  /** Offer / accept telephone-event (RFC 4733) for DTMF. */
  telephoneEvent: boolean;
  /** What we want: sendrecv unless holding (sendonly) or muted both ways (inactive). */
  direction?: Direction;
  /** The packetisation we want to receive (a=ptime); 20 ms unless set. */
  ptime?: number;
  maxptime?: number;
  /** Offer, and accept when offered, RTCP on the RTP port (RFC 5761). Off unless set. */
  rtcpMux?: boolean;
  /** SRTP with SDES keys; plain RTP only when absent. */
  crypto?: LocalCrypto;
  /**
   * Whose order picks the codec of an answer: ours (default: the trunk's priority list decides),
   * or the offerer's (the first offered codec that is anywhere in our list).
   */
  codecOrder?: 'local' | 'offer';
  /** o= session id for a new session; random digits unless set. */
  sessionId?: string;
  /** o= username; "-" unless set. */
  username?: string;
  /** s= line; "-" unless set. */
  sessionName?: string;
  /**
   * The last SDP we sent in this dialog, when answering a re-offer: the answer keeps its o=
   * session id and username, increments its version only when something changed (RFC 3264 §8),
   * and keeps its SRTP keys for the suite that is chosen again.
   */
  previous?: string;
  /** Random bytes for session ids and SRTP master keys; node:crypto randomBytes unless injected. */
  random?: (size: number) => Uint8Array;
}

export interface ResolvedLocal {
  address: string;
  port: number;
  codecs: CodecSpec[];
  telephoneEvent: boolean;
  direction: Direction;
  ptime: number;
  maxptime?: number;
  rtcpMux: boolean;
  crypto?: { suites: SrtpSuite[]; mode: 'required' | 'optional' };
  codecOrder: 'local' | 'offer';
  username: string;
  sessionName: string;
  random: (size: number) => Uint8Array;
}

/** RFC 3551 §4.2: "The default packetization interval SHOULD have a duration of 20 ms or one frame, whichever is longer". */
export const DEFAULT_PTIME = 20;

/** Checks the caller's settings: a mistake here is a programming error (RangeError), not bad SDP. */
export function resolveLocal(local: LocalMedia): ResolvedLocal {
  if (isIP(local.address) === 0) throw new RangeError(`local address ${JSON.stringify(local.address)} is not an IP address`);
  if (!Number.isInteger(local.port) || local.port < 1 || local.port > 65535) throw new RangeError(`local port ${local.port} is not 1..65535`);
  if (local.codecs.length === 0) throw new RangeError('the local codec list is empty');
  if (local.direction !== undefined && !isDirection(local.direction)) throw new RangeError(`direction ${String(local.direction)} is not a direction`);
  const ptime = local.ptime ?? DEFAULT_PTIME;
  if (!(ptime > 0 && ptime <= 1000)) throw new RangeError(`ptime ${ptime} is not 1..1000 ms`);
  let crypto: ResolvedLocal['crypto'];
  if (local.crypto) {
    const suites = [...(local.crypto.suites ?? SRTP_SUITES)];
    if (suites.length === 0 || !suites.every(isSrtpSuite)) throw new RangeError('local SRTP suites must be a non-empty list of supported suites');
    crypto = { suites, mode: local.crypto.mode ?? 'required' };
  }
  const resolved: ResolvedLocal = {
    address: local.address,
    port: local.port,
    codecs: local.codecs.map(parseCodecSpec),
    telephoneEvent: local.telephoneEvent,
    direction: local.direction ?? 'sendrecv',
    ptime,
    rtcpMux: local.rtcpMux ?? false,
    crypto,
    codecOrder: local.codecOrder ?? 'local',
    username: local.username ?? '-',
    sessionName: local.sessionName ?? '-',
    random: local.random ?? batchedRandomBytes,
  };
  if (local.maxptime !== undefined) resolved.maxptime = local.maxptime;
  return resolved;
}

/**
 * node:crypto's randomBytes, drawn from a block filled 4 KB at a time: every call needs a few
 * random bytes (its o= session id, SRTP keys), and one getrandom per SDP was a measurable part of
 * a worker's time per call. The same CSPRNG; every byte is handed out once (a copy).
 */
const RANDOM_BLOCK = 4096;
const randomBlock = new Uint8Array(RANDOM_BLOCK);
let randomAt = RANDOM_BLOCK;

export function batchedRandomBytes(size: number): Uint8Array {
  if (size > RANDOM_BLOCK / 8) return randomBytes(size);
  if (randomAt + size > RANDOM_BLOCK) {
    randomFillSync(randomBlock);
    randomAt = 0;
  }
  const out = randomBlock.slice(randomAt, randomAt + size);
  randomAt += size;
  return out;
}

/**
 * A new o= session id: 48 random bits as decimal digits. RFC 4566 §5.2 only asks that the
 * <username, sess-id, nettype, addrtype, unicast-address> tuple be globally unique.
 */
export function newSessionId(random: (size: number) => Uint8Array): string {
  const b = random(6);
  let n = 0;
  for (let i = 0; i < 6; i++) n = n * 256 + (b[i] ?? 0);
  return String(n === 0 ? 1 : n);
}
