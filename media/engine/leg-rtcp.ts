// A leg's RTCP on the wire: the per-stream state is media/rtp's RtcpSession; this is where its
// reports go and where the peer's come from.
//
// RFC 3550 §6: reports about every 5 s (RtcpSession decides when). They go to the RTCP port the
// SDP names (a=rtcp, else RTP port + 1; RFC 3605), latched like RTP to where the peer's RTCP comes
// from, or on the RTP port with rtcp-mux (RFC 5761). With SRTP they are SRTCP.
import { RtcpSession } from '../rtp/rtcp-session.js';
import { parseRtcp } from '../rtp/rtcp.js';
import type { SrtpSession } from '../rtp/srtp.js';
import type { LegCounters } from './leg-counters.js';
import { SourceLatch, SourceVerdict } from './source-latch.js';
import type { RtpTransport } from './udp-pair.js';

/** The Unix time of performance.now()'s zero: RTCP's NTP timestamps are wall-clock. Read once (a getter). */
const TIME_ORIGIN = performance.timeOrigin;

export class LegRtcp {
  session: RtcpSession;
  readonly latch: SourceLatch;
  private readonly buf = new Uint8Array(1500);
  private readonly transport: RtpTransport;
  private readonly rtpLatch: SourceLatch;
  private readonly counters: LegCounters;
  private readonly o: { cname: string; now: () => number; random: () => number; intervalMs?: number };

  constructor(o: {
    transport: RtpTransport;
    rtpLatch: SourceLatch;
    counters: LegCounters;
    localSsrc: number;
    clockRate: number;
    cname: string;
    /** Monotonic ms; RTCP's NTP clock adds performance.timeOrigin. */
    now: () => number;
    random: () => number;
    intervalMs?: number;
    relatchAfterMs?: number;
  }) {
    this.transport = o.transport;
    this.rtpLatch = o.rtpLatch;
    this.counters = o.counters;
    this.o = { cname: o.cname, now: o.now, random: o.random, ...(o.intervalMs ? { intervalMs: o.intervalMs } : {}) };
    this.latch = new SourceLatch({ relatchAfterMs: o.relatchAfterMs });
    this.session = this.newSession(o.localSsrc, o.clockRate);
  }

  /** A new session for a new clock rate (a re-INVITE from G.711 to Opus): RtcpSession's rate is fixed. */
  newSession(localSsrc: number, clockRate: number): RtcpSession {
    const now = this.o.now;
    this.session = new RtcpSession({
      localSsrc,
      clockRate,
      cname: this.o.cname,
      now: () => TIME_ORIGIN + now(),
      random: this.o.random,
      ...(this.o.intervalMs ? { intervalMs: this.o.intervalMs } : {}),
    });
    return this.session;
  }

  /**
   * One RTCP datagram (from the RTCP socket, or the RTP socket with rtcp-mux). Returns true when
   * it was taken (the caller counts it as a sign of life).
   */
  receive(buf: Uint8Array, length: number, address: string, port: number, mux: boolean, srtp: SrtpSession | null): boolean {
    const now = this.o.now();
    const verdict = this.latch.check(address, port, now);
    // From the RTCP source we latched, a vouched-for address, or the latched RTP source (rtcp-mux).
    if (verdict === SourceVerdict.Refused && this.rtpLatch.check(address, port, now) === SourceVerdict.Refused) {
      this.counters.rtcpRefused++;
      return false;
    }
    if (srtp !== null) {
      const plain = srtp.unprotectRtcp(buf, length);
      if (plain < 0) {
        this.counters.srtpFailures++;
        return false;
      }
      length = plain;
    }
    const parsed = parseRtcp(buf, length);
    if (!parsed.ok) {
      this.counters.malformed++;
      return false;
    }
    if (!mux) this.latch.accept(verdict === SourceVerdict.Refused ? SourceVerdict.Candidate : verdict, address, port, now);
    this.counters.rtcpIn++;
    this.session.onRtcp(parsed.packets, TIME_ORIGIN + now);
    return true;
  }

  /** Once per tick (`now` is the tick's monotonic time): sends a report when one is due. */
  poll(now: number, mux: boolean, srtp: SrtpSession | null): void {
    if (TIME_ORIGIN + now < this.session.nextReportAt) return;
    const bytes = this.session.poll(this.buf, 0);
    if (bytes > 0) this.send(bytes, mux, srtp);
  }

  /** RTCP BYE (RFC 3550 §6.6), when the leg goes away. */
  goodbye(mux: boolean, srtp: SrtpSession | null): void {
    const bytes = this.session.writeGoodbye(this.buf, 0);
    if (bytes > 0) this.send(bytes, mux, srtp);
  }

  private send(length: number, mux: boolean, srtp: SrtpSession | null): void {
    if (srtp !== null) {
      length = srtp.protectRtcp(this.buf, length);
      if (length < 0) return;
    }
    const latch = mux ? this.rtpLatch : this.latch;
    const address = latch.sendAddress;
    const port = latch.sendPort;
    if (address === null || port === 0) return;
    this.counters.rtcpOut++;
    this.transport.sendRtcp(this.buf, length, port, address, mux);
  }
}
