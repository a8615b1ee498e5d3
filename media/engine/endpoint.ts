// One RTP leg: a UDP port pair bound to the media address, the SDP negotiated for it, and the
// receive path; the send path is its LegSender, its RTCP a LegRtcp.
//
// Receive, per datagram (in this order, cheapest refusal first):
//   RTCP on an rtcp-mux port? ─► LegRtcp
//   source: the latched peer, or an address the call vouches for (SDP c=, signalling source)? else `spoofed`
//   RTP version / length ─► SRTP unprotect (when negotiated) ─► header checks (RFC 3550 A.1)
//   latch the source (after authentication: a forged packet cannot steal the latch)
//   new SSRC? reset ─► sequence / jitter / loss accounting (RtcpSession)
//   telephone-event ─► Rfc4733Receiver;  audio ─► the other leg's LegSender (relay) or the room's jitter buffer
//
// Allocation: the leg's buffers when it first needs them (the payload scratch at the first payload
// for the room; the jitter buffer's storage from a per-worker pool at its first packet, back at
// close: docs/media/engine.md "What allocates"); then none per datagram on the native transport
// (datagrams arrive in batches, in a reused arena: docs/media/native-io.md); node:dgram, the
// fallback, allocates a Buffer and a RemoteInfo per datagram. Besides that the receive path allocates nothing (SRTP: what node:crypto does,
// docs/media/rtp.md). Negotiation, stats and events allocate.
import { createCodec } from '../codecs/index.js';
import type { DetectedDigit } from '../dtmf/inband-detector.js';
import { Rfc4733Receiver, Rfc4733Sender, type ReceivedDigit } from '../dtmf/rfc4733.js';
import { StreamQuality } from '../quality/stream-quality.js';
import type { JitterMode } from '../room/jitter-buffer.js';
import { Participant } from '../room/participant.js';
import { RtpCheck, RtpHeaderReader, looksLikeRtcp } from '../rtp/rtp-header.js';
import { SrtpSession } from '../rtp/srtp.js';
import { receives, sends, type Direction, type LocalCrypto, type Negotiated } from '../sdp/index.js';
import { EndpointInput } from './endpoint-input.js';
import { EndpointSdp } from './endpoint-sdp.js';
import { legCounters, type LegCounters } from './leg-counters.js';
import { legFormat, provisionalFormat, type LegFormat } from './leg-format.js';
import { LegRtcp } from './leg-rtcp.js';
import { LegSender } from './leg-sender.js';
import { SendStream } from './send-stream.js';
import { SourceLatch, SourceVerdict } from './source-latch.js';
import { srtpKeyId, srtpMasterKey } from './srtp-keys.js';
import type { RtpTransport } from './udp-pair.js';

export type DtmfSource = 'rfc4733' | 'inband';

export interface EndpointEvents {
  dtmf(e: Endpoint, digit: string, source: DtmfSource, durationMs: number): void;
  mediaTimeout(e: Endpoint, idleMs: number): void;
}

export interface JitterSettings {
  mode?: JitterMode;
  targetMs?: number;
  maxMs?: number;
}

export interface EndpointOptions {
  id: string;
  transport: RtpTransport;
  /** Address written in our SDP. */
  advertisedAddress: string;
  codecs: readonly string[];
  telephoneEvent: boolean;
  /** Detect DTMF in the audio when telephone-event is not negotiated. */
  inbandDtmf: boolean;
  srtp?: LocalCrypto;
  rtcpMux?: boolean;
  /** Addresses besides the SDP c= address that may latch (the signalling source). */
  allowedSources?: readonly string[];
  /** No RTP for this long while the remote should send → media_timeout. */
  mediaTimeoutMs: number;
  /** The same while the stream is on hold (we do not receive). */
  holdTimeoutMs: number;
  relatchAfterMs?: number;
  jitter?: JitterSettings;
  /** Mean RTCP report interval, default 5000 ms (RFC 3550 §6.2's minimum). */
  rtcpIntervalMs?: number;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Uniform [0, 1). */
  random: () => number;
  randomBytes?: (size: number) => Uint8Array;
  events: EndpointEvents;
}

const TICKS_PER_QUALITY_UPDATE = 50;
const MAX_PAYLOAD = 1920;

export class Endpoint {
  readonly id: string;
  readonly transport: RtpTransport;
  readonly sdp: EndpointSdp;
  readonly latch: SourceLatch;
  readonly sender: LegSender;
  readonly counters: LegCounters = legCounters();
  private readonly rtcp: LegRtcp;
  private readonly o: EndpointOptions;
  private readonly relatchAfterMs: number;
  private allowedSources: readonly string[];

  negotiated: Negotiated | null = null;
  direction: Direction = 'inactive';
  format: LegFormat;
  /** Made when first asked for, or by the first configure(): an endpoint created from an offer never builds the provisional one. */
  private currentInput: EndpointInput | null = null;
  private currentParticipant: Participant | null = null;
  readonly quality: StreamQuality;
  /** The other leg of a relayed bridge: audio goes straight out of it, the room is not ticked. */
  private relayPeer: Endpoint | null = null;

  private receivePt = -1;
  private teReceivePt = -1;
  private teClockRate = 0;
  private inbandDigits = false;
  private srtpIn: SrtpSession | null = null;
  private srtpInKey = '';
  private srtpOutKey = '';
  private dtmfRx: Rfc4733Receiver | null = null;

  private readonly reader = new RtpHeaderReader();
  /** Allocated at the first payload that goes to the room (a relayed leg never needs it). */
  private scratch: Uint8Array | null = null;
  private readonly scratchViews: Uint8Array[] = [];
  private readonly teScratch = new Uint8Array(4);
  private lastSsrc = -1;
  private lastActivityMs: number;
  private timedOut = false;
  /** Starts at a random point of the quality-update cycle, so that legs created together do not all update on one tick. */
  private ticks: number;
  private closed = false;

  constructor(o: EndpointOptions) {
    this.o = o;
    this.id = o.id;
    this.transport = o.transport;
    this.allowedSources = o.allowedSources ?? [];
    this.relatchAfterMs = o.relatchAfterMs ?? 2000;
    this.sdp = new EndpointSdp({
      address: o.advertisedAddress,
      port: o.transport.rtpPort,
      codecs: o.codecs,
      telephoneEvent: o.telephoneEvent,
      ...(o.srtp ? { srtp: o.srtp } : {}),
      ...(o.rtcpMux ? { rtcpMux: true } : {}),
      ...(o.randomBytes ? { random: o.randomBytes } : {}),
    });
    this.latch = new SourceLatch({ relatchAfterMs: this.relatchAfterMs });
    this.ticks = Math.floor(o.random() * TICKS_PER_QUALITY_UPDATE);
    // Until negotiation says otherwise, the first codec of our list: a participant must exist to join a room.
    this.format = provisionalFormat(o.codecs);
    this.quality = new StreamQuality({ codec: this.format.name, startedAtMs: o.now() });
    // RTCP speaks for the stream we send: its SSRC is the SendStream's.
    const stream = new SendStream({ unitsPerTick: 160, random: () => Math.floor(o.random() * 0x1_0000_0000) });
    this.rtcp = new LegRtcp({
      transport: o.transport,
      rtpLatch: this.latch,
      counters: this.counters,
      localSsrc: stream.ssrc,
      clockRate: this.format.clockRate,
      cname: `${o.id}@switchboard`,
      now: o.now,
      random: o.random,
      ...(o.rtcpIntervalMs ? { intervalMs: o.rtcpIntervalMs } : {}),
      relatchAfterMs: this.relatchAfterMs,
    });
    this.sender = new LegSender({
      transport: o.transport,
      latch: this.latch,
      counters: this.counters,
      encoder: createCodec(this.format.name, { sampleRate: this.format.sampleRate }),
      rtcp: this.rtcp.session,
      stream,
    });
    this.lastActivityMs = o.now();
    o.transport.listen(this.onRtpMessage, this.onRtcpMessage);
  }

  /** What the leg says, as its room hears it (decoded input). */
  get input(): EndpointInput {
    return (this.currentInput ??= this.makeInput());
  }

  /** The leg as a room member: replaced by configure() when the format or the DTMF mode changes. */
  get participant(): Participant {
    return (this.currentParticipant ??= this.makeParticipant());
  }

  get localSdp(): string | null {
    return this.sdp.localSdp;
  }

  get relayTo(): Endpoint | null {
    return this.relayPeer;
  }

  /** Bridges to `peer` by relaying (null: back to the room). Audio from the peer then bypasses our room. */
  set relayTo(peer: Endpoint | null) {
    this.relayPeer = peer;
    // What the peer relays to us replaces the room's frames for our far end.
    if (peer !== null) peer.sender.relaying = true;
    this.sender.relaying = peer !== null;
  }

  // ---- negotiation ----------------------------------------------------------------------------

  /**
   * Applies a negotiated stream (first answer, re-INVITE, answer to our offer). Returns true when
   * the Participant was replaced (new format or DTMF mode): the session puts the new one in the room.
   */
  configure(n: Negotiated, allowedSources?: readonly string[]): boolean {
    if (allowedSources) this.allowedSources = allowedSources;
    const format = legFormat(n.codec.name, n.codec.clockRate);
    const inband = n.telephoneEvent === undefined && this.o.inbandDtmf;
    const formatChanged = format.key !== this.format.key;
    const participantChanged = formatChanged || inband !== this.inbandDigits || this.negotiated === null;
    this.negotiated = n;
    this.direction = n.direction;
    this.receivePt = n.codec.receivePayloadType;
    this.inbandDigits = inband;
    const s = this.sender;
    s.payloadType = n.codec.payloadType;
    s.enabled = sends(n.direction) && !this.closed;
    if (formatChanged) {
      this.format = format;
      s.encoder = createCodec(format.name, { sampleRate: format.sampleRate });
      s.rtcp = this.rtcp.newSession(s.stream.ssrc, format.clockRate);
    }
    if (participantChanged) {
      // The old input leaves the room with its participant (the session swaps them before the next tick).
      this.currentInput?.release();
      this.currentInput = this.makeInput();
      this.currentParticipant = this.makeParticipant();
    }
    s.stream.setUnitsPerTick((format.clockRate * 20) / 1000);

    const te = n.telephoneEvent;
    if (te) {
      if (s.dtmf === null || te.clockRate !== this.teClockRate) {
        this.dtmfRx = new Rfc4733Receiver({
          clockRate: te.clockRate,
          now: this.o.now,
          onDigit: (d: ReceivedDigit) => this.onDigit(d.digit, 'rfc4733', d.durationMs),
        });
        s.dtmf = new Rfc4733Sender({ clockRate: te.clockRate });
        this.teClockRate = te.clockRate;
      }
      s.eventPayloadType = te.payloadType;
      this.teReceivePt = te.receivePayloadType;
    } else {
      this.dtmfRx = null;
      s.dtmf = null;
      this.teClockRate = 0;
      s.eventPayloadType = -1;
      this.teReceivePt = -1;
    }

    // SRTP: keep a session while its key is unchanged (its ROC and replay state carry on).
    if (n.srtp) {
      const inKey = srtpKeyId(n.srtp.remote);
      const outKey = srtpKeyId(n.srtp.local);
      if (inKey !== this.srtpInKey) this.srtpIn = SrtpSession.fromMasterKey(srtpMasterKey(n.srtp.remote));
      if (outKey !== this.srtpOutKey) s.srtp = SrtpSession.fromMasterKey(srtpMasterKey(n.srtp.local));
      this.srtpInKey = inKey;
      this.srtpOutKey = outKey;
    } else {
      this.srtpIn = s.srtp = null;
      this.srtpInKey = this.srtpOutKey = '';
    }

    this.latch.configure(n.remote.address, n.remote.port, this.allowedSources);
    if (!this.latch.isLatched) this.transport.disconnectRtp();
    this.rtcp.latch.configure(n.remote.rtcpAddress, n.remote.rtcpPort ?? 0, this.allowedSources);
    this.quality.setDirection(receives(n.direction), sends(n.direction));
    // A re-INVITE starts the media timeout over: the peer may only now be sending again.
    this.lastActivityMs = this.o.now();
    this.timedOut = false;
    return participantChanged;
  }

  private makeInput(): EndpointInput {
    const j = this.o.jitter ?? {};
    return new EndpointInput({
      sampleRate: this.format.sampleRate,
      decoder: createCodec(this.format.name, { sampleRate: this.format.sampleRate }),
      jitter: { clockRate: this.format.clockRate, ...(j.mode ? { mode: j.mode } : {}), ...(j.targetMs ? { targetMs: j.targetMs } : {}), ...(j.maxMs ? { maxMs: j.maxMs } : {}) },
      quality: this.quality,
      ...(this.inbandDigits ? { onInbandDigit: (d: DetectedDigit) => this.onDigit(d.digit, 'inband', d.durationMs) } : {}),
    });
  }

  private makeParticipant(): Participant {
    return new Participant({
      id: this.id,
      sampleRate: this.format.sampleRate,
      input: this.input,
      codec: this.format.key,
      rtpClockRate: this.format.clockRate,
      random: () => Math.floor(this.o.random() * 0x1_0000_0000),
      sink: this.sender,
    });
  }

  // ---- receive ---------------------------------------------------------------------------------

  private readonly onRtpMessage = (buf: Uint8Array, length: number, address: string, port: number): void => {
    this.receive(buf, length, address, port);
  };

  private readonly onRtcpMessage = (buf: Uint8Array, length: number, address: string, port: number): void => {
    this.receiveRtcp(buf, length, address, port);
  };

  /**
   * One datagram from the RTP port. `buf` is ours to change (decrypted and relayed in place), but
   * only until we return: the transport may reuse it (udp-pair.ts).
   */
  receive(buf: Uint8Array, length: number, address: string, port: number): void {
    const c = this.counters;
    c.packetsIn++;
    c.bytesIn += length;
    const n = this.negotiated;
    if (n === null) {
      c.notReceiving++;
      return;
    }
    if (n.rtcpMux && looksLikeRtcp(buf, length)) {
      this.receiveRtcp(buf, length, address, port);
      return;
    }
    const now = this.o.now();
    const verdict = this.latch.check(address, port, now);
    if (verdict === SourceVerdict.Refused) {
      c.spoofed++;
      return;
    }
    if (length < 12 || buf[0]! >> 6 !== 2) {
      c.malformed++;
      return;
    }
    if (this.srtpIn !== null) {
      const plain = this.srtpIn.unprotectRtp(buf, length);
      if (plain < 0) {
        c.srtpFailures++;
        return;
      }
      length = plain;
    }
    const r = this.reader;
    if (r.read(buf, length) !== RtpCheck.Ok) {
      c.malformed++;
      return;
    }
    this.latch.accept(verdict, address, port, now);
    // From now on sends skip the address lookup (and on node:dgram the kernel filters for us): udp-pair.ts.
    if (!this.transport.isConnectedTo(port, address)) this.transport.connectRtp(port, address);
    this.lastActivityMs = now;
    this.timedOut = false;
    if (!receives(this.direction)) {
      // We hold the peer (sendonly/inactive): what it sends anyway is not played.
      c.notReceiving++;
      return;
    }
    const pt = r.payloadType;
    const ssrc = r.ssrc | 0;
    const seq = r.sequence;
    const ts = r.timestamp | 0;
    if (ssrc !== this.lastSsrc) this.newSource(ssrc);
    if (pt === this.teReceivePt) {
      c.telephoneEvents++;
      this.sender.rtcp.onRtpReceived(ssrc >>> 0, seq, ts >>> 0, now, false);
      if (r.payloadLength >= 4) {
        const o = r.payloadOffset;
        const te = this.teScratch;
        te[0] = buf[o]!;
        te[1] = buf[o + 1]!;
        te[2] = buf[o + 2]!;
        te[3] = buf[o + 3]!;
        this.dtmfRx!.push(ts >>> 0, r.marker, te);
      }
      return;
    }
    if (pt !== this.receivePt) {
      c.unknownPayloadType++;
      return;
    }
    c.rtpAccepted++;
    this.sender.rtcp.onRtpReceived(ssrc >>> 0, seq, ts >>> 0, now, true);
    const peer = this.relayPeer;
    if (peer !== null) {
      peer.sender.relay(buf, length, ssrc, seq, ts, r.payloadLength);
      return;
    }
    if (r.payloadLength > MAX_PAYLOAD) {
      c.malformed++;
      return;
    }
    this.input.push(seq, ts, this.payloadView(buf, r.payloadOffset, r.payloadLength), Math.floor(now));
  }

  /**
   * RFC 3550 §8.2: a new SSRC is a new source (the peer restarted, or another device took over):
   * its sequence numbers and timestamps start afresh, and so do our playout and the
   * telephone-event state (an event's identity is its timestamp, RFC 4733 §2.5.1).
   */
  private newSource(ssrc: number): void {
    if (this.lastSsrc !== -1) {
      this.counters.sourceChanges++;
      this.input.reset();
      if (this.dtmfRx !== null) {
        this.dtmfRx.flush();
        this.dtmfRx.reset();
      }
    }
    this.lastSsrc = ssrc;
  }

  /** Copies a payload into the scratch buffer and returns a view of it cached by length (no allocation once seen). */
  private payloadView(buf: Uint8Array, offset: number, length: number): Uint8Array {
    let s = this.scratch;
    if (s === null) {
      s = new Uint8Array(MAX_PAYLOAD);
      this.scratch = s;
    }
    for (let i = 0; i < length; i++) s[i] = buf[offset + i]!;
    let v = this.scratchViews[length];
    if (v === undefined) {
      v = s.subarray(0, length);
      this.scratchViews[length] = v;
    }
    return v;
  }

  receiveRtcp(buf: Uint8Array, length: number, address: string, port: number): void {
    const n = this.negotiated;
    if (n === null) return;
    // While on hold nothing else may arrive: RTCP shows the peer is still there.
    if (this.rtcp.receive(buf, length, address, port, n.rtcpMux, this.srtpIn) && !receives(this.direction)) {
      this.lastActivityMs = this.o.now();
      this.timedOut = false;
    }
  }

  // ---- DTMF ------------------------------------------------------------------------------------

  /** Queues DTMF as RFC 4733 events; false when telephone-event was not negotiated (play tones instead). */
  sendDtmf(digits: string, o: { toneMs?: number; gapMs?: number } = {}): boolean {
    return this.sender.sendDtmf(digits, o);
  }

  /** An RFC 4733 digit is queued or going out: the relay must give way to the tick's sender. */
  get sendingDtmf(): boolean {
    return this.sender.sendingDtmf;
  }

  /** Whether in-band detection runs (telephone-event not negotiated): the audio must be decoded. */
  get detectsInband(): boolean {
    return this.negotiated !== null && this.inbandDigits;
  }

  private onDigit(digit: string, source: DtmfSource, durationMs: number): void {
    this.counters.dtmfReceived++;
    this.o.events.dtmf(this, digit, source, durationMs);
  }

  // ---- tick ------------------------------------------------------------------------------------

  /** Once per engine tick, before the rooms: stream clock, DTMF timeouts, RTCP, quality, media timeout. */
  tick(now: number): void {
    this.sender.stream.tick();
    this.ticks++;
    if (this.dtmfRx !== null) this.dtmfRx.poll();
    const n = this.negotiated;
    if (n === null) return;
    // A connected socket hears only the latched peer: after a silence, open up again so that
    // another vouched-for source (the peer on a new port) can latch.
    if (this.transport.connected && now - this.latch.lastAcceptedMs >= this.relatchAfterMs) this.transport.disconnectRtp();
    this.rtcp.poll(now, n.rtcpMux, this.sender.srtp);
    if (this.ticks % TICKS_PER_QUALITY_UPDATE === 0) this.quality.update(now, this.sender.rtcp);
    if (!this.timedOut) {
      const limit = receives(this.direction) ? this.o.mediaTimeoutMs : this.o.holdTimeoutMs;
      const idle = now - this.lastActivityMs;
      if (idle > limit) {
        this.timedOut = true;
        this.counters.mediaTimeouts++;
        this.o.events.mediaTimeout(this, idle);
      }
    }
  }

  /** Sends an RTCP BYE and closes the sockets. */
  close(): void {
    if (this.closed) return;
    if (this.negotiated !== null) {
      try {
        this.rtcp.goodbye(this.negotiated.rtcpMux, this.sender.srtp);
      } catch {
        // A BYE is a courtesy; closing must not fail over it.
      }
    }
    this.closed = true;
    this.sender.enabled = false;
    this.currentInput?.flush();
    this.currentInput?.release();
    this.dtmfRx?.flush();
    this.transport.close();
  }

  toJSON(): Record<string, unknown> {
    const n = this.negotiated;
    return {
      id: this.id,
      localPort: this.transport.rtpPort,
      negotiated: n !== null,
      codec: n ? { name: n.codec.name, payloadType: n.codec.payloadType, clockRate: n.codec.clockRate } : null,
      direction: this.direction,
      remote: n ? `${n.remote.address}:${n.remote.port}` : null,
      rtcpMux: n?.rtcpMux ?? false,
      srtp: n?.srtp?.suite ?? null,
      telephoneEvent: n?.telephoneEvent ? n.telephoneEvent.payloadType : null,
      relaying: this.relayPeer !== null,
      latch: this.latch.toJSON(),
      counters: { ...this.counters, transportErrors: this.transport.errors },
      stream: this.sender.stream.toJSON(),
      rtcp: this.sender.rtcp.toJSON(),
      quality: this.quality.toJSON(),
      input: this.input.toJSON(),
      ...(this.srtpIn ? { srtpIn: this.srtpIn.toJSON(), srtpOut: this.sender.srtp?.toJSON() } : {}),
    };
  }
}
