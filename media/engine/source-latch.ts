// Which remote source an endpoint accepts RTP from, and where it sends.
//
// Symmetric RTP (RFC 4961 §3: "a device that uses symmetric RTP [...] sends RTP packets from the
// same source port it receives on") lets a NATed peer be reached at the address its packets come
// from, which is not the one its SDP names. Taking *any* first packet as the peer ("first packet
// wins") lets whoever sprays the port range hijack calls; so a packet is a candidate only when it
// comes from an address the call vouches for: the SDP c= address, or the signalling source the
// control plane passes in (`allowedSources`: where the INVITE came from). The first candidate that
// passes the later checks (SRTP authentication) latches the port; after that only the latched
// address:port is accepted, until it has been silent for `relatchAfterMs` (a NAT rebinding, or a
// peer that restarted on another port), when another candidate may latch.
//
// Pure state: the endpoint asks `check`, then calls `latch` once the packet proved itself.

export const SourceVerdict = {
  /** From the latched source. */
  Latched: 0,
  /** From an allowed address, not latched yet: accept and latch if the packet is otherwise good. */
  Candidate: 1,
  /** From anywhere else: drop and count as spoofed. */
  Refused: 2,
} as const;
export type SourceVerdict = (typeof SourceVerdict)[keyof typeof SourceVerdict];

export interface SourceLatchOptions {
  /** A latched source silent this long may be replaced by another allowed one. Default 2000 ms. */
  relatchAfterMs?: number;
}

/** IPv4-mapped IPv6 ("::ffff:192.0.2.1") is the IPv4 address as far as latching goes. */
export function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a.toLowerCase();
}

export class SourceLatch {
  private readonly relatchAfterMs: number;
  private allowed: string[] = [];
  /** Where the SDP says to send, until a packet latches us elsewhere. */
  private sdpAddress = '';
  private sdpPort = 0;
  latchedAddress: string | null = null;
  latchedPort = 0;
  /** When the last packet was accepted (the caller's clock). */
  lastAcceptedMs = 0;
  latches = 0;

  constructor(o: SourceLatchOptions = {}) {
    this.relatchAfterMs = o.relatchAfterMs ?? 2000;
  }

  /**
   * The remote's SDP address and port, and the other addresses vouched for. A change of the SDP
   * address or port (re-INVITE) drops the latch: the peer moved.
   */
  configure(sdpAddress: string, sdpPort: number, allowedSources: readonly string[]): void {
    const a = normalizeAddress(sdpAddress);
    if (a !== this.sdpAddress || sdpPort !== this.sdpPort) this.unlatch();
    this.sdpAddress = a;
    this.sdpPort = sdpPort;
    const list: string[] = [];
    // 0.0.0.0 / :: (RFC 2543 hold, or an address not known yet) vouches for nobody.
    if (a !== '0.0.0.0' && a !== '::') list.push(a);
    for (const s of allowedSources) {
      const n = normalizeAddress(s);
      if (!list.includes(n)) list.push(n);
    }
    this.allowed = list;
  }

  /** Called for every packet before anything else looks at it. Allocates nothing. */
  check(address: string, port: number, nowMs: number): SourceVerdict {
    // Port 0 cannot be sent to (sipp's pcap player sends from it): latching to it would
    // make every send of the leg fail.
    if (port === 0) return SourceVerdict.Refused;
    if (this.latchedAddress !== null) {
      if (port === this.latchedPort && address === this.latchedAddress) return SourceVerdict.Latched;
      if (nowMs - this.lastAcceptedMs < this.relatchAfterMs) return SourceVerdict.Refused;
    }
    const allowed = this.allowed;
    for (let i = 0; i < allowed.length; i++) if (allowed[i] === address) return SourceVerdict.Candidate;
    return SourceVerdict.Refused;
  }

  /** The packet from address:port was accepted (after SRTP authentication, if any). */
  accept(verdict: SourceVerdict, address: string, port: number, nowMs: number): void {
    if (verdict === SourceVerdict.Candidate) {
      this.latchedAddress = address;
      this.latchedPort = port;
      this.latches++;
    }
    this.lastAcceptedMs = nowMs;
  }

  unlatch(): void {
    this.latchedAddress = null;
    this.latchedPort = 0;
  }

  /** Where RTP goes now: the latched source, else the SDP address (null when it is 0.0.0.0). */
  get sendAddress(): string | null {
    if (this.latchedAddress !== null) return this.latchedAddress;
    return this.sdpAddress === '' || this.sdpAddress === '0.0.0.0' || this.sdpAddress === '::' ? null : this.sdpAddress;
  }

  get sendPort(): number {
    return this.latchedAddress !== null ? this.latchedPort : this.sdpPort;
  }

  get isLatched(): boolean {
    return this.latchedAddress !== null;
  }

  toJSON(): { allowed: string[]; latched: string | null; latches: number } {
    return {
      allowed: [...this.allowed],
      latched: this.latchedAddress === null ? null : `${this.latchedAddress}:${this.latchedPort}`,
      latches: this.latches,
    };
  }
}
