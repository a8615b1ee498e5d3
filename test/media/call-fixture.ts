// Shared set-up for the over-the-wire media tests: an engine on 127.0.0.1 with a port range of
// the test file's own (files run in parallel), far ends on real sockets, and legs joined to them.
import { sine } from '../../media/dsp/tone.js';
import type { MediaEngine, MediaSessionHandle } from '../../media/engine/index.js';
import { RtpPeer, type RtpPeerOptions } from '../helpers/rtp-peer.js';

export interface Leg {
  peer: RtpPeer;
  endpointId: string;
  localSdp: string;
}

/** A far end and the engine endpoint answering its offer; the peer sends to the endpoint. */
export async function answeredLeg(
  session: MediaSessionHandle,
  peerOptions: RtpPeerOptions = {},
  o: { telephoneEvent?: boolean; allowedSources?: string[]; codecs?: string[]; srtp?: boolean; sdp?: (p: RtpPeer) => string } = {},
): Promise<Leg> {
  const peer = await RtpPeer.open(peerOptions);
  if (o.srtp) peer.withSrtp();
  const offer = o.sdp ? o.sdp(peer) : peer.sdp({ telephoneEvent: o.telephoneEvent ?? true });
  const r = await session.createEndpoint({
    remoteSdp: offer,
    ...(o.allowedSources ? { allowedSources: o.allowedSources } : {}),
    ...(o.codecs ? { codecs: o.codecs } : {}),
    ...(o.srtp ? { srtp: { mode: 'required' as const } } : {}),
  });
  peer.target(r.localSdp);
  if (o.srtp) peer.useSrtp(r.localSdp);
  return { peer, endpointId: r.endpointId, localSdp: r.localSdp };
}

/** `seconds` of a sine at `frequency`, -12 dBFS, at the peer's rate. */
export function tone(peer: RtpPeer, frequency: number, seconds: number): Int16Array {
  return sine(frequency, peer.sampleRate, Math.round(peer.sampleRate * seconds), -12);
}

/**
 * A tone counts as absent below this level (50 ms Goertzel windows). The tones we send are at
 * -12 dBFS; the rectangular window's leakage from a neighbouring tone's onset and end reaches about
 * -43 dBFS, so -35 leaves margin both ways: an echo of one's own voice would read about -12.
 */
export const ABSENT = -35;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Checks that what `peer` received is one stream: one SSRC, sequence +1 per packet (mod 2^16). */
export function sequenceGaps(peer: RtpPeer): { ssrcs: number; seqSteps: number[]; tsSteps: number[] } {
  const packets = peer.audioPackets();
  const ssrcs = new Set(packets.map((p) => p.ssrc)).size;
  const seqSteps: number[] = [];
  const tsSteps: number[] = [];
  for (let i = 1; i < packets.length; i++) {
    seqSteps.push((packets[i]!.seq - packets[i - 1]!.seq) & 0xffff);
    tsSteps.push((packets[i]!.ts - packets[i - 1]!.ts) >>> 0);
  }
  return { ssrcs, seqSteps, tsSteps };
}

export async function closeAll(engine: MediaEngine | null, peers: RtpPeer[]): Promise<void> {
  await engine?.close();
  await Promise.all(peers.map((p) => p.close()));
}
