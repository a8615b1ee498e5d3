// A far end on a real UDP socket, for tests that look at what goes over the wire: it sends RTP
// from PCM (paced at 20 ms, or as fast as the test likes with explicit numbers), keeps every
// packet it receives (sequence, timestamp, SSRC, arrival time, payload) and decodes them into the
// audio its user would hear.
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes, randomInt } from 'node:crypto';
import { createCodec, type AudioCodec } from '../../media/codecs/index.js';
import { SrtpSession } from '../../media/rtp/srtp.js';
import { RtcpSession } from '../../media/rtp/rtcp-session.js';
import { parseRtcp, type RtcpPacket } from '../../media/rtp/rtcp.js';
import type { SrtpProfileName } from '../../media/rtp/srtp-profile.js';

export interface ReceivedRtp {
  seq: number;
  ts: number;
  ssrc: number;
  payloadType: number;
  marker: boolean;
  arrivalMs: number;
  from: string;
  payload: Uint8Array;
}

export interface PeerSrtp {
  suite: SrtpProfileName;
  /** Our master key + salt (what our a=crypto line carries). */
  key: Uint8Array;
  salt: Uint8Array;
}

export interface RtpPeerOptions {
  /** Address to bind, default 127.0.0.1 (127.0.0.2 makes an attacker the engine must refuse). */
  address?: string;
  /** SDP encoding name, default PCMU. */
  codec?: string;
  payloadType?: number;
  /** L16/opus PCM rate. */
  sampleRate?: number;
  /** Telephone-event payload type we offer and send DTMF with, default 101. */
  telephoneEventPt?: number;
  ssrc?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class RtpPeer {
  readonly socket: Socket;
  readonly address: string;
  readonly port: number;
  readonly codecName: string;
  readonly payloadType: number;
  readonly telephoneEventPt: number;
  readonly sampleRate: number;
  readonly received: ReceivedRtp[] = [];
  readonly receivedRtcp: { arrivalMs: number; bytes: Uint8Array }[] = [];
  /** Where we send: the engine endpoint's RTP address and port. */
  remote: { address: string; port: number } | null = null;
  ssrc: number;
  seq: number;
  ts: number;
  sent = 0;
  private readonly encoder: AudioCodec;
  private readonly out = new Uint8Array(2048);
  private readonly frame: Int16Array;
  private srtpSend: SrtpSession | null = null;
  private srtpReceive: SrtpSession | null = null;
  srtpFailures = 0;
  /** Our SRTP keying, for the SDP (`sdp({ crypto })`). */
  srtp: PeerSrtp | null = null;
  /** RTCP of our own (rtcp-mux: on this socket), when `startRtcp` was called. */
  rtcp: RtcpSession | null = null;
  readonly rtcpPackets: RtcpPacket[] = [];
  private rtcpTimer: ReturnType<typeof setInterval> | null = null;

  private constructor(socket: Socket, o: RtpPeerOptions) {
    this.socket = socket;
    const a = socket.address();
    this.address = a.address;
    this.port = a.port;
    this.codecName = o.codec ?? 'PCMU';
    this.encoder = createCodec(this.codecName, { sampleRate: o.sampleRate, payloadType: o.payloadType });
    this.payloadType = this.encoder.payloadType;
    this.sampleRate = this.encoder.sampleRate;
    this.telephoneEventPt = o.telephoneEventPt ?? 101;
    this.frame = new Int16Array(this.encoder.samplesPerFrame(20));
    this.ssrc = o.ssrc ?? randomInt(0, 2 ** 32);
    this.seq = randomInt(0, 65536);
    this.ts = randomInt(0, 2 ** 32);
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo.address));
  }

  static async open(o: RtpPeerOptions = {}): Promise<RtpPeer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, o.address ?? '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new RtpPeer(socket, o);
  }

  get samplesPerFrame(): number {
    return this.frame.length;
  }

  get timestampPerFrame(): number {
    return this.encoder.timestampsPerFrame(20);
  }

  /** Sends to the endpoint described by `sdp` (its c= address and m= port). */
  target(sdp: string): this {
    const c = /^c=IN IP4 (\S+)/m.exec(sdp);
    const m = /^m=audio (\d+)/m.exec(sdp);
    if (!c || !m) throw new Error(`no audio address in SDP:\n${sdp}`);
    this.remote = { address: c[1]!, port: Number(m[1]) };
    return this;
  }

  /** Keys SRTP: ours from `srtp` (made with `makeSrtpKey`), theirs from the a=crypto line of `remoteSdp`. */
  useSrtp(remoteSdp: string): this {
    if (!this.srtp) throw new Error('call withSrtp() before the offer is made');
    const line = /^a=crypto:\d+ (\S+) inline:([A-Za-z0-9+/=]+)/m.exec(remoteSdp);
    if (!line) throw new Error(`no a=crypto line in SDP:\n${remoteSdp}`);
    const suite = line[1] as SrtpProfileName;
    const bytes = Buffer.from(line[2]!, 'base64');
    const keyLen = 16;
    this.srtpSend = SrtpSession.fromMasterKey({ profile: this.srtp.suite, masterKey: this.srtp.key, masterSalt: this.srtp.salt });
    this.srtpReceive = SrtpSession.fromMasterKey({ profile: suite, masterKey: bytes.subarray(0, keyLen), masterSalt: bytes.subarray(keyLen) });
    return this;
  }

  withSrtp(suite: SrtpProfileName = 'AES_CM_128_HMAC_SHA1_80'): this {
    this.srtp = { suite, key: randomBytes(16), salt: randomBytes(suite === 'AEAD_AES_128_GCM' ? 12 : 14) };
    return this;
  }

  /** An SDP offer or answer describing this peer. */
  sdp(o: { direction?: string; telephoneEvent?: boolean; port?: number; address?: string; version?: number; rtcpMux?: boolean } = {}): string {
    const pt = this.payloadType;
    const te = o.telephoneEvent ?? true;
    const profile = this.srtp ? 'RTP/SAVP' : 'RTP/AVP';
    const rate = this.encoder.clockRate;
    const lines = [
      'v=0',
      `o=peer 4242 ${o.version ?? 1} IN IP4 ${o.address ?? this.address}`,
      's=-',
      `c=IN IP4 ${o.address ?? this.address}`,
      't=0 0',
      `m=audio ${o.port ?? this.port} ${profile} ${pt}${te ? ` ${this.telephoneEventPt}` : ''}`,
      `a=rtpmap:${pt} ${this.encoder.name}/${rate}${this.encoder.rtpmapChannels ? `/${this.encoder.rtpmapChannels}` : ''}`,
    ];
    if (te) lines.push(`a=rtpmap:${this.telephoneEventPt} telephone-event/${rate === 48000 ? 48000 : 8000}`, `a=fmtp:${this.telephoneEventPt} 0-16`);
    lines.push('a=ptime:20');
    if (o.rtcpMux) lines.push('a=rtcp-mux');
    if (this.srtp) {
      const inline = Buffer.concat([this.srtp.key, this.srtp.salt]).toString('base64');
      lines.push(`a=crypto:1 ${this.srtp.suite} inline:${inline}`);
    }
    lines.push(`a=${o.direction ?? 'sendrecv'}`);
    return lines.join('\r\n') + '\r\n';
  }

  /**
   * Sends RTCP reports (SR/RR with SDES) on the RTP socket (rtcp-mux) every ~intervalMs, and
   * feeds what arrives into an RtcpSession: a far end that measures and reports like a phone.
   */
  startRtcp(intervalMs = 300): this {
    const now = (): number => performance.timeOrigin + performance.now();
    this.rtcp = new RtcpSession({ localSsrc: this.ssrc, clockRate: this.encoder.clockRate, cname: `peer-${this.port}`, now, random: Math.random, intervalMs });
    const buf = new Uint8Array(1500);
    this.rtcpTimer = setInterval(() => {
      const n = this.rtcp!.poll(buf, 0);
      if (n > 0 && this.remote) this.sendRaw(buf.subarray(0, n));
    }, 20);
    return this;
  }

  /** A new SSRC and random sequence/timestamp: the peer restarted its stream (a source change). */
  restart(): void {
    this.ssrc = randomInt(0, 2 ** 32);
    this.seq = randomInt(0, 65536);
    this.ts = randomInt(0, 2 ** 32);
    this.encoder.reset();
  }

  /** Encodes and sends one 20 ms frame; moves seq by 1 and ts by one frame. */
  sendFrame(pcm: Int16Array, o: { marker?: boolean; tamper?: (packet: Uint8Array) => void } = {}): void {
    const n = this.encoder.encode(pcm, this.out.subarray(12));
    this.sendPacket(this.payloadType, this.out.subarray(12, 12 + n), o);
    this.ts = (this.ts + this.timestampPerFrame) >>> 0;
  }

  /** Sends one RTP packet with the given payload; the sequence number moves by 1 (unless `seq` is given). */
  sendPacket(payloadType: number, payload: Uint8Array, o: { marker?: boolean; ts?: number; seq?: number; tamper?: (packet: Uint8Array) => void } = {}): void {
    const buf = new Uint8Array(12 + payload.length + 32);
    const v = new DataView(buf.buffer);
    buf[0] = 0x80;
    buf[1] = (o.marker ? 0x80 : 0) | payloadType;
    const seq = o.seq ?? this.seq;
    v.setUint16(2, seq);
    v.setUint32(4, (o.ts ?? this.ts) >>> 0);
    v.setUint32(8, this.ssrc >>> 0);
    buf.set(payload, 12);
    if (o.seq === undefined) this.seq = (this.seq + 1) & 0xffff;
    this.rtcp?.onRtpSent((o.ts ?? this.ts) >>> 0, payload.length);
    let len = 12 + payload.length;
    if (this.srtpSend) len = this.srtpSend.protectRtp(buf, len);
    o.tamper?.(buf.subarray(0, len));
    this.sendRaw(buf.subarray(0, len));
  }

  sendRaw(bytes: Uint8Array, to = this.remote): void {
    if (!to) throw new Error('RtpPeer has no remote: call target(sdp) first');
    this.socket.send(bytes, to.port, to.address);
    this.sent++;
  }

  /**
   * Plays `pcm` as 20 ms frames at real-time pacing (each frame due at start + k × 20 ms);
   * resolves after the last one. A partial last frame is padded with silence.
   */
  async play(pcm: Int16Array, o: { frameMs?: number } = {}): Promise<void> {
    const n = this.frame.length;
    const frames = Math.ceil(pcm.length / n);
    const start = performance.now();
    for (let k = 0; k < frames; k++) {
      const due = start + k * (o.frameMs ?? 20);
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      this.frame.fill(0);
      this.frame.set(pcm.subarray(k * n, Math.min(pcm.length, (k + 1) * n)));
      this.sendFrame(this.frame);
    }
  }

  /** Resolves when `predicate` holds (checked every 10 ms), rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > end) throw new Error(`RtpPeer ${this.address}:${this.port}: timed out waiting for ${what}`);
      await sleep(10);
    }
  }

  /** Packets received with the audio payload type, in arrival order. */
  audioPackets(): ReceivedRtp[] {
    return this.received.filter((p) => p.payloadType === this.payloadType);
  }

  /** Decodes the audio packets received since index `from` (arrival order) into what the user hears. */
  heard(from = 0): Int16Array {
    const decoder = createCodec(this.codecName, { sampleRate: this.sampleRate, payloadType: this.payloadType });
    const packets = this.received.slice(from).filter((p) => p.payloadType === this.payloadType);
    const out = new Int16Array(packets.length * this.frame.length * 6);
    let at = 0;
    for (const p of packets) at += decoder.decode(p.payload, out.subarray(at));
    return out.slice(0, at);
  }

  /** Clears what was received (to look only at what comes next). */
  clear(): void {
    this.received.length = 0;
    this.receivedRtcp.length = 0;
  }

  async close(): Promise<void> {
    if (this.rtcpTimer) clearInterval(this.rtcpTimer);
    await new Promise<void>((r) => this.socket.close(() => r()));
  }

  private onMessage(msg: Buffer, from: string): void {
    const arrivalMs = performance.now();
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
    const pt = msg[1]! & 0x7f;
    if (msg[1]! >= 200 && msg[1]! <= 204) {
      this.receivedRtcp.push({ arrivalMs, bytes: new Uint8Array(msg) });
      const parsed = parseRtcp(msg);
      if (parsed.ok) {
        this.rtcpPackets.push(...parsed.packets);
        this.rtcp?.onRtcp(parsed.packets, performance.timeOrigin + arrivalMs);
      }
      return;
    }
    let len = msg.length;
    const copy = new Uint8Array(msg);
    if (this.srtpReceive) {
      len = this.srtpReceive.unprotectRtp(copy, len);
      if (len < 0) {
        this.srtpFailures++;
        return;
      }
    }
    const v = new DataView(copy.buffer, copy.byteOffset, len);
    const cc = copy[0]! & 0x0f;
    let header = 12 + cc * 4;
    if (copy[0]! & 0x10) header += 4 + v.getUint16(header + 2) * 4;
    const padding = copy[0]! & 0x20 ? copy[len - 1]! : 0;
    this.rtcp?.onRtpReceived(v.getUint32(8), v.getUint16(2), v.getUint32(4), performance.timeOrigin + arrivalMs);
    this.received.push({
      seq: v.getUint16(2),
      ts: v.getUint32(4),
      ssrc: v.getUint32(8),
      payloadType: pt,
      marker: (copy[1]! & 0x80) !== 0,
      arrivalMs,
      from,
      payload: copy.slice(header, len - padding),
    });
  }
}
