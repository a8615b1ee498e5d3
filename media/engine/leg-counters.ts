// Per-leg packet counters, in stats(endpointId).counters.

export interface LegCounters {
  packetsIn: number;
  bytesIn: number;
  /** Audio packets taken (relayed or buffered). */
  rtpAccepted: number;
  /** From a source that may not latch (or not the latched one). */
  spoofed: number;
  malformed: number;
  srtpFailures: number;
  unknownPayloadType: number;
  /** Arrived while the direction says the peer does not send to us (or before negotiation). */
  notReceiving: number;
  /** New SSRCs after the first. */
  sourceChanges: number;
  telephoneEvents: number;
  packetsOut: number;
  bytesOut: number;
  relayedOut: number;
  rtcpIn: number;
  rtcpOut: number;
  rtcpRefused: number;
  dtmfReceived: number;
  dtmfSent: number;
  mediaTimeouts: number;
}

export function legCounters(): LegCounters {
  return {
    packetsIn: 0,
    bytesIn: 0,
    rtpAccepted: 0,
    spoofed: 0,
    malformed: 0,
    srtpFailures: 0,
    unknownPayloadType: 0,
    notReceiving: 0,
    sourceChanges: 0,
    telephoneEvents: 0,
    packetsOut: 0,
    bytesOut: 0,
    relayedOut: 0,
    rtcpIn: 0,
    rtcpOut: 0,
    rtcpRefused: 0,
    dtmfReceived: 0,
    dtmfSent: 0,
    mediaTimeouts: 0,
  };
}
